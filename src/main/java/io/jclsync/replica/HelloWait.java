package io.jclsync.replica;

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
 * <p>At most {@link #PER_ORIGIN} batches and {@link #CHANGES_PER_ORIGIN} changes wait per origin
 * (the oldest batch is dropped beyond, with a warning); the batches of an origin that leaves the view without a hello are dropped. Origins
 * are members of the view (the channel drops a batch naming another sender), so what is held is
 * bounded. A dropped batch is not lost for good: its changes are in the origin's index, which a
 * catch-up request asks for when the origin (re)joins or the cluster has been quiet a minute.
 */
final class HelloWait {
    private static final Logger LOG = Logger.getLogger(HelloWait.class.getName());
    static final int PER_ORIGIN = 64;
    /** And at most this many changes in them (a batch holds up to {@code WireCodec.MAX_CHANGES}). */
    static final int CHANGES_PER_ORIGIN = 50_000;

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
        q.add(b);
        while (q.size() > PER_ORIGIN || q.size() > 1 && changes(q) > CHANGES_PER_ORIGIN) {
            WireMessage.Batch dropped = q.poll();
            LOG.warning("dropped batch " + dropped.origin() + "#" + dropped.sequence() + ": " + q.size()
                    + " later batches of " + dropped.origin() + " wait for a hello it has not sent (at most " + PER_ORIGIN
                    + " batches, " + CHANGES_PER_ORIGIN + " changes; a catch-up brings its changes later)");
        }
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

    private static int changes(ArrayDeque<WireMessage.Batch> q) {
        int n = 0;
        for (WireMessage.Batch b : q) n += b.changes().size();
        return n;
    }

    /** How many batches wait, over all origins. */
    synchronized int size() {
        return held.values().stream().mapToInt(ArrayDeque::size).sum();
    }
}
