package io.jclsync.replica;

import io.jclsync.cluster.wire.WireMessage;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * How far batches travel: per origin, the highest sequence of its live batches applied here
 * (reported to the peers when it moved), and per peer, from their reports, how far behind this
 * node's own batches it is ({@link PeerLag}).
 */
final class Progress {
    private static final Logger LOG = Logger.getLogger(Progress.class.getName());

    private final String tree;
    private final String self;
    private final Channel channel;
    private final Map<String, Long> appliedFrom = new ConcurrentHashMap<>();
    private volatile boolean appliedMoved;
    private final PeerLag lag = new PeerLag();

    Progress(String tree, String self, Channel channel) {
        this.tree = tree;
        this.self = self;
        this.channel = channel;
    }

    /** This node sent live batch {@code sequence} with {@code changes} changes. */
    void sent(long sequence, int changes) {
        lag.sent(sequence, changes);
    }

    /** Live batch {@code sequence} of {@code origin} was applied here. */
    void applied(String origin, long sequence) {
        appliedFrom.merge(origin, sequence, Math::max);
        appliedMoved = true;
    }

    /** {@code peer} (re)joined this tree: its batch sequences start again. */
    void joined(String peer) {
        lag.joined(peer);
        appliedFrom.remove(peer);
    }

    void left(String peer) {
        lag.left(peer);
    }

    /** A peer's report of how far it applied this node's batches. */
    void reported(WireMessage.Progress p) {
        Long applied = p.applied().get(self);
        if (applied != null) lag.applied(p.node(), applied);
    }

    /** Tells the peers how far this node has applied their live batches (when that moved). */
    void report() {
        if (!appliedMoved) return;
        appliedMoved = false;
        try {
            channel.broadcast(new WireMessage.Progress(tree, self, Map.copyOf(appliedFrom)));
        } catch (Exception e) {
            appliedMoved = true;
            LOG.fine("cannot report progress: " + e);
        }
    }

    /** Per peer in view: live batches of this node it has not applied yet, their changes, the oldest's age (ms). */
    Map<String, List<Long>> behind() {
        Map<String, List<Long>> out = new TreeMap<>();
        lag.lag().forEach((peer, l) -> out.put(peer, List.of(l.batches(), l.changes(), l.oldestMillis())));
        return out;
    }
}
