package io.jclsync.watch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pairs {@code IN_MOVED_FROM} with {@code IN_MOVED_TO} by cookie. The kernel queues the two
 * halves of one rename next to each other, but a read() may end between them, so a lone
 * MOVED_FROM waits a short time for its partner; if none comes, the entry left the tree.
 */
final class RenamePairer {
    /** @param watches a directory's watches (and below) when it was moved, each with when it was added */
    record Pending(Path from, boolean directory, Map<Integer, Long> watches, long deadlineNanos) {}

    private final long timeoutNanos;
    private final Map<Integer, Pending> pending = new LinkedHashMap<>();

    RenamePairer(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    void movedFrom(int cookie, Path from, boolean directory, long nowNanos) {
        movedFrom(cookie, from, directory, Map.of(), nowNanos);
    }

    void movedFrom(int cookie, Path from, boolean directory, Map<Integer, Long> watches, long nowNanos) {
        pending.put(cookie, new Pending(from, directory, watches, nowNanos + timeoutNanos));
    }

    /** The MOVED_FROM half of this cookie, or null if the entry came from outside the tree. */
    Pending movedTo(int cookie) {
        return pending.remove(cookie);
    }

    /** MOVED_FROM halves whose partner did not come in time: entries moved out of the tree. */
    List<Pending> expire(long nowNanos) {
        List<Pending> expired = new ArrayList<>();
        for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.deadlineNanos() - nowNanos <= 0) {
                expired.add(p);
                it.remove();
            }
        }
        return expired;
    }

    /** All pending halves, e.g. on overflow when their partners may be lost. */
    List<Pending> drain() {
        List<Pending> all = new ArrayList<>(pending.values());
        pending.clear();
        return all;
    }

    /** Milliseconds until the next deadline, or -1 when nothing waits. */
    int millisUntilNextDeadline(long nowNanos) {
        long next = Long.MAX_VALUE;
        for (Pending p : pending.values()) next = Math.min(next, p.deadlineNanos() - nowNanos);
        if (next == Long.MAX_VALUE) return -1;
        return (int) Math.max(1, (next + 999_999) / 1_000_000);
    }
}
