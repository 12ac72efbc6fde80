package io.jclsync.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicLong;

/** What a cluster node has done, written as JSON to {@code STATE_DIR/counters.json} after each change. */
final class Counters {
    final AtomicLong batchesAnnounced = new AtomicLong();
    final AtomicLong changesAnnounced = new AtomicLong();
    final AtomicLong batchesReceived = new AtomicLong();
    final AtomicLong changesReceived = new AtomicLong();
    final AtomicLong filesPulled = new AtomicLong();
    final AtomicLong bytesPulled = new AtomicLong();
    final AtomicLong echoesSuppressed = new AtomicLong();
    final AtomicLong rsyncCalls = new AtomicLong();
    final AtomicLong conflicts = new AtomicLong();
    final AtomicLong catchUpEntriesSent = new AtomicLong();
    final AtomicLong catchUpEntriesReceived = new AtomicLong();
    final AtomicLong catchUpsCompleted = new AtomicLong();

    private final Path file;
    private volatile java.util.function.LongSupplier rejected = () -> 0;

    Counters(Path file) {
        this.file = file;
    }

    /** Every counter by its JSON name, in order. */
    java.util.Map<String, Long> values() {
        java.util.Map<String, Long> out = new java.util.LinkedHashMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([a-z_]+)\": (\\d+)").matcher(json());
        while (m.find()) out.put(m.group(1), Long.parseLong(m.group(2)));
        return out;
    }

    String json() {
        return "{\"batches_announced\": " + batchesAnnounced + ", \"changes_announced\": " + changesAnnounced
                + ", \"batches_received\": " + batchesReceived + ", \"changes_received\": " + changesReceived
                + ", \"files_pulled\": " + filesPulled + ", \"bytes_pulled\": " + bytesPulled
                + ", \"echoes_suppressed\": " + echoesSuppressed + ", \"rsync_calls\": " + rsyncCalls
                + ", \"conflicts\": " + conflicts
                + ", \"catch_up_entries_sent\": " + catchUpEntriesSent
                + ", \"catch_up_entries_received\": " + catchUpEntriesReceived
                + ", \"catch_ups_completed\": " + catchUpsCompleted
                + ", \"rejected_messages\": " + rejected.getAsLong() + "}\n";
    }

    /** Where the count of dropped malformed messages comes from (the channel counts them). */
    void rejectedFrom(java.util.function.LongSupplier source) {
        rejected = source;
    }

    synchronized void save() {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, json(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            java.util.logging.Logger.getLogger(Counters.class.getName()).fine("cannot write " + file + ": " + e);
        }
    }
}
