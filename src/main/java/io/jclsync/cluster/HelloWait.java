package io.jclsync.cluster;

import io.jclsync.cluster.wire.WireMessage;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Batches from origins that have not said hello for the tree yet: without a hello there is no
 * endpoint to pull their files from. They are held per origin, in order, off the apply thread,
 * so that they stall no other origin's batches, and released when the hello comes. An origin's
 * later batches wait behind its held ones, so its batches are still applied in order.
 *
 * <p>At most {@link #PER_ORIGIN} batches wait per origin (the oldest is dropped beyond, with a
 * warning); the batches of an origin that leaves the view without a hello are dropped. Origins
 * are members of the view (the channel drops a batch naming another sender), so what is held is
 * bounded. A dropped batch is not lost for good: its changes are in the origin's index, which a
 * catch-up request asks for when the origin (re)joins or the cluster has been quiet a minute.
 */
final class HelloWait {
    private static final Logger LOG = Logger.getLogger(HelloWait.class.getName());
    static final int PER_ORIGIN = 64;

    private final Map<String, ArrayDeque<WireMessage.Batch>> held = new HashMap<>();

    /**
     * Holds {@code b} if its origin has not said hello ({@code heard} false) or has batches held
     * already; false if it can be applied now.
     */
    synchronized boolean hold(WireMessage.Batch b, boolean heard) {
        ArrayDeque<WireMessage.Batch> q = held.get(b.origin());
        if (q == null) {
            if (heard) return false;
            held.put(b.origin(), q = new ArrayDeque<>());
            LOG.info("batch " + b.origin() + "#" + b.sequence() + " waits for " + b.origin() + "'s hello");
        }
        if (q.size() == PER_ORIGIN) {
            WireMessage.Batch dropped = q.poll();
            LOG.warning("dropped batch " + dropped.origin() + "#" + dropped.sequence() + ": " + PER_ORIGIN
                    + " of its batches wait for a hello it has not sent (a catch-up brings its changes later)");
        }
        q.add(b);
        return true;
    }

    /** The batches held for {@code origin}, in arrival order, now that it said hello. */
    synchronized List<WireMessage.Batch> release(String origin) {
        ArrayDeque<WireMessage.Batch> q = held.remove(origin);
        if (q == null) return List.of();
        LOG.info(q.size() + " batches of " + origin + " held for its hello go to be applied");
        return List.copyOf(q);
    }

    /** Drops what origins that left the view held. */
    synchronized void retain(List<String> members) {
        held.entrySet().removeIf(e -> {
            if (members.contains(e.getKey())) return false;
            LOG.warning("dropped " + e.getValue().size() + " batches of " + e.getKey()
                    + ", which left the view without saying hello for this tree");
            return true;
        });
    }

    /** How many batches wait, over all origins. */
    synchronized int size() {
        return held.values().stream().mapToInt(ArrayDeque::size).sum();
    }
}
