package io.jclsync.replica;

import io.jclsync.cluster.wire.WireMessage;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Catch-up requests waiting for an answer, bounded per requester: while one waits, a newer request
 * from the same requester replaces it (its positions are as recent or more), and a requester is
 * answered at most once per interval (a node uses {@link #MIN_INTERVAL_NANOS}). A peer that floods requests costs this
 * node one answer every two seconds, not one per request.
 */
final class CatchUpAnswers {
    static final long MIN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final long minIntervalNanos;
    private final Map<String, WireMessage.CatchUpRequest> waiting = new HashMap<>();
    private final Map<String, Long> lastAnswered = new HashMap<>();
    private long replaced;

    CatchUpAnswers(long minIntervalNanos) {
        this.minIntervalNanos = minIntervalNanos;
    }

    /** @return true if the caller must schedule an answer for this requester (none was waiting) */
    synchronized boolean offer(WireMessage.CatchUpRequest r) {
        boolean first = waiting.put(r.requester(), r) == null;
        if (!first) replaced++;
        return first;
    }

    /** The request to answer now for {@code requester}, after waiting out its interval. */
    WireMessage.CatchUpRequest take(String requester) throws InterruptedException {
        long wait;
        synchronized (this) {
            Long last = lastAnswered.get(requester);
            wait = last == null ? 0 : last + minIntervalNanos - System.nanoTime();
        }
        if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
        synchronized (this) {
            lastAnswered.put(requester, System.nanoTime());
            return waiting.remove(requester);
        }
    }

    /** How many requests were replaced by a newer one before they were answered. */
    synchronized long replaced() {
        return replaced;
    }
}
