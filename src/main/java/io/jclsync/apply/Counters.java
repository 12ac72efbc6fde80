package io.jclsync.apply;

import io.jclsync.cluster.ClusterMember;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import io.jclsync.fs.FileTrees;
import io.jclsync.fs.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Logger;

/** What a cluster node has done, written as JSON to {@code STATE_DIR/counters.json} after each change. */
public final class Counters {
    public final AtomicLong batchesAnnounced = new AtomicLong();
    public final AtomicLong changesAnnounced = new AtomicLong();
    final AtomicLong batchesReceived = new AtomicLong();
    final AtomicLong changesReceived = new AtomicLong();
    public final AtomicLong filesPulled = new AtomicLong();
    public final AtomicLong bytesPulled = new AtomicLong();
    public final AtomicLong echoesSuppressed = new AtomicLong();
    final AtomicLong rsyncCalls = new AtomicLong();
    public final AtomicLong conflicts = new AtomicLong();
    public final AtomicLong catchUpEntriesSent = new AtomicLong();
    final AtomicLong catchUpEntriesReceived = new AtomicLong();
    public final AtomicLong catchUpsCompleted = new AtomicLong();
    /** A peer's changes refused because they would write through a symbolic link or in .jclsync/. */
    final AtomicLong refusedWrites = new AtomicLong();
    /** Pulled files not placed: not what was announced (size or sha256), or more bytes than it. */
    final AtomicLong rejectedPulls = new AtomicLong();
    /** Files pulled and placed whose version this node had already recorded at that path: transfers wasted. */
    final AtomicLong pulledAgain = new AtomicLong();

    private final Path file;
    private volatile Supplier<ClusterMember.Rejections> rejected =
            () -> new ClusterMember.Rejections(0, 0);
    private volatile LongSupplier refusedTransfers = () -> 0;

    public Counters(Path file) {
        this.file = file;
    }

    /** Every counter by its JSON name, in order. */
    public Map<String, Long> values() {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("batches_announced", batchesAnnounced.get());
        out.put("changes_announced", changesAnnounced.get());
        out.put("batches_received", batchesReceived.get());
        out.put("changes_received", changesReceived.get());
        out.put("files_pulled", filesPulled.get());
        out.put("bytes_pulled", bytesPulled.get());
        out.put("echoes_suppressed", echoesSuppressed.get());
        out.put("rsync_calls", rsyncCalls.get());
        out.put("conflicts", conflicts.get());
        out.put("catch_up_entries_sent", catchUpEntriesSent.get());
        out.put("catch_up_entries_received", catchUpEntriesReceived.get());
        out.put("catch_ups_completed", catchUpsCompleted.get());
        out.put("refused_writes", refusedWrites.get());
        out.put("rejected_pulls", rejectedPulls.get());
        out.put("pulled_again", pulledAgain.get());
        ClusterMember.Rejections r = rejected.get();
        out.put("rejected_messages", r.messages());
        out.put("rejected_frames", r.frames());
        out.put("refused_transfers", refusedTransfers.getAsLong());
        return out;
    }

    String json() {
        return Json.object(values()) + "\n";
    }

    /** Where the counts of dropped malformed messages and frames come from (the channel counts them). */
    public void rejectedFrom(Supplier<ClusterMember.Rejections> source) {
        rejected = source;
    }

    /** Where the count of pull connections the transfer listener refused comes from. */
    public void refusedTransfersFrom(LongSupplier source) {
        refusedTransfers = source;
    }

    public synchronized void save() {
        try {
            FileTrees.writeAtomically(file, json());
        } catch (IOException e) {
            Logger.getLogger(Counters.class.getName()).fine("cannot write " + file + ": " + e);
        }
    }
}
