package io.jclsync.replica;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * How far behind this node each peer is: the live batches this node announced that the peer has
 * not reported applied yet ({@link io.jclsync.cluster.wire.WireMessage.Progress}), their changes,
 * and how long the oldest has been waiting. A peer that (re)joins owes only what was announced
 * after it joined: what came before reaches it by catch-up.
 */
final class PeerLag {
    /** Behind by {@code batches} batches of {@code changes} changes, the oldest sent {@code oldestMillis} ago. */
    record Lag(long batches, long changes, long oldestMillis) {}

    private record Sent(int changes, long atNanos) {}

    private final TreeMap<Long, Sent> sent = new TreeMap<>();
    /** Per peer in view: the last of our batch sequences it has applied, or that it did not need. */
    private final Map<String, Long> acked = new HashMap<>();
    private long lastSequence;

    synchronized void sent(long sequence, int changes) {
        sent.put(sequence, new Sent(changes, System.nanoTime()));
        lastSequence = Math.max(lastSequence, sequence);
    }

    /** Our batch sequences are numbered per run: one a peer reports beyond ours is from our previous run. */
    synchronized void joined(String peer) {
        acked.put(peer, lastSequence);
        prune();
    }

    synchronized void left(String peer) {
        acked.remove(peer);
        prune();
    }

    synchronized void applied(String peer, long sequence) {
        Long was = acked.get(peer);
        if (was == null || sequence > lastSequence) return;
        acked.put(peer, Math.max(was, sequence));
        prune();
    }

    synchronized Map<String, Lag> lag() {
        long now = System.nanoTime();
        Map<String, Lag> out = new TreeMap<>();
        acked.forEach((peer, ack) -> {
            long batches = 0;
            long changes = 0;
            long oldest = 0;
            for (Sent s : sent.tailMap(ack, false).values()) {
                if (batches++ == 0) oldest = (now - s.atNanos()) / 1_000_000;
                changes += s.changes();
            }
            out.put(peer, new Lag(batches, changes, oldest));
        });
        return out;
    }

    /** Forgets batches every peer has. */
    private void prune() {
        long min = acked.values().stream().mapToLong(Long::longValue).min().orElse(lastSequence);
        sent.headMap(min, true).clear();
    }
}
