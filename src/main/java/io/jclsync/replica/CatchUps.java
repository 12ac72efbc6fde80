package io.jclsync.replica;

import io.jclsync.apply.Counters;

import io.jclsync.cluster.wire.WireMessage;
import io.jclsync.state.Index;
import io.jclsync.state.IndexLog;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The answers to this node's catch-up requests being applied, one per peer: what each brought
 * so far (for the status and the log, every 10 s and at the end), and, once the last part is
 * applied, whether this node's position in the peer's index moves: only if every pull worked and
 * no subtree waits for another node's takeover.
 */
final class CatchUps {
    private static final Logger LOG = Logger.getLogger(CatchUps.class.getName());

    private record Progress(long entries, long files, long bytes, long startedNanos, long lastNanos) {}

    private final Index versions;
    private final Counters counters;
    private final Map<String, Progress> inProgress = new ConcurrentHashMap<>();
    /** Per peer (apply thread only): whether every pull of its answer so far worked. */
    private final Map<String, Boolean> complete = new HashMap<>();
    private long lastLog;

    CatchUps(Index versions, Counters counters) {
        this.versions = versions;
        this.counters = counters;
    }

    /**
     * A part of {@code peer}'s answer was applied: {@code entries} index entries, {@code files}
     * files ({@code bytes} bytes) pulled, {@code allPulled} whether every pull worked.
     *
     * @param waiting a subtree of this answer waits for another node's takeover
     */
    void applied(String peer, WireMessage.IndexPart part, int entries, long files, long bytes, boolean allPulled,
                 boolean waiting) {
        complete.merge(peer, allPulled, Boolean::logicalAnd);
        long at = System.nanoTime();
        Progress was = inProgress.getOrDefault(peer, new Progress(0, 0, 0, at, at));
        Progress now = new Progress(was.entries() + entries, was.files() + files, was.bytes() + bytes, was.startedNanos(), at);
        inProgress.put(peer, now);
        if (part.last() || System.nanoTime() - lastLog >= TimeUnit.SECONDS.toNanos(10)) {
            lastLog = System.nanoTime();
            LOG.info(String.format("catch-up %s %s: %,d index entries, %,d file(s) (%,d bytes) pulled in %.1f s",
                    part.last() ? "with" : "from", peer, now.entries(), now.files(), now.bytes(),
                    (System.nanoTime() - now.startedNanos()) / 1e9));
        }
        if (!part.last()) return;
        inProgress.remove(peer);
        if (complete.remove(peer) && !waiting) {
            versions.log().caughtUp(peer, new IndexLog.Position(part.indexId(), part.through()));
            counters.catchUpsCompleted.incrementAndGet();
        } else if (waiting) {
            // Another node's version of a subtree won: its takeover brings it. Until it has, this
            // peer's answer is not taken as a whole: it is asked again next time.
            LOG.info("catch-up with " + peer + " waits for a subtree takeover; it is asked again when it next joins or "
                    + "the cluster is quiet");
        } else {
            LOG.warning("catch-up with " + peer + " is incomplete (a pull or a change failed); it is asked again when it next "
                    + "joins or the cluster is quiet");
        }
    }

    /**
     * The peers whose answer is being applied and moved within the last {@code nanos}: asking them
     * again now would only bring the same entries once more (a large join takes minutes).
     */
    Set<String> busy(long nanos) {
        long now = System.nanoTime();
        Set<String> out = new HashSet<>();
        inProgress.forEach((peer, p) -> {
            if (now - p.lastNanos() < nanos) out.add(peer);
        });
        return out;
    }

    /** Per peer whose answer is being applied: index entries received, files and bytes pulled so far. */
    Map<String, List<Long>> progress() {
        Map<String, List<Long>> out = new TreeMap<>();
        inProgress.forEach((peer, c) -> out.put(peer, List.of(c.entries(), c.files(), c.bytes())));
        return out;
    }
}
