package io.jclsync.replica;

import io.jclsync.cluster.wire.WireMessage;
import io.jclsync.conflict.SubtreeConflicts;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The peers of a tree: who said hello for it (and where to pull from it: {@link PeerSources}), who
 * is in the view, and the batches of origins that have not said hello yet ({@link HelloWait}),
 * handed to the apply thread once they did. A peer becomes known (and is greeted back and asked to
 * catch up) once it said hello and is in the view.
 */
final class Peers {
    private static final Logger LOG = Logger.getLogger(Peers.class.getName());
    /**
     * How long an early hello is kept: a view that holds its sender comes within a second or two.
     * One kept longer may be a previous life's of a node that restarted since (then taking it made
     * this node count the new one as greeted before it had its tree, and never answer its hello).
     */
    private static final long EARLY_NANOS = TimeUnit.SECONDS.toNanos(5);

    private record Early(WireMessage.Hello hello, long at) {}

    private final String self;
    private final Channel channel;
    private final Supplier<WireMessage.Hello> myHello;
    private final Supplier<List<String>> view;
    private final PeerSources sources;
    /** Told when a peer (re)joins: the subtree summaries told to it start again. */
    private final SubtreeConflicts subtrees;
    /** Told when a peer joins (its batch sequences start again) and leaves. */
    private final Progress progress;
    /** Asks a peer that joined to catch up. */
    private final CatchUpExchange exchange;
    /** Where a batch goes once its origin said hello. */
    private final Applying applying;
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    /** Batches from origins that have not said hello yet, held until they do. */
    private final HelloWait helloWait = new HelloWait();
    /** Hellos from nodes not yet in the view here (they can come first as views change); taken when they are. */
    private final Map<String, Early> early = new ConcurrentHashMap<>();

    /**
     * Every part it tells of peers is made before it: nothing is called back on a half-made node.
     *
     * @param myHello what this node says of itself for this tree
     * @param view    the members of the channel's current view
     */
    Peers(String self, Channel channel, Supplier<WireMessage.Hello> myHello, Supplier<List<String>> view,
          PeerSources sources, SubtreeConflicts subtrees, Progress progress, CatchUpExchange exchange, Applying applying) {
        this.self = self;
        this.channel = channel;
        this.myHello = myHello;
        this.view = view;
        this.sources = sources;
        this.subtrees = subtrees;
        this.progress = progress;
        this.exchange = exchange;
        this.applying = applying;
    }

    /** Says hello to every member: those new to this tree answer with theirs. */
    void greet() {
        try {
            channel.broadcast(myHello.get());
        } catch (Exception e) {
            LOG.warning("cannot send hello: " + e);
        }
    }

    /**
     * A peer that serves this tree said hello. The first time since it (re)joined (and once it is in
     * the view): what was known of its previous life is forgotten (subtree summaries told to it, its
     * batch sequences), it is answered with our hello, so that it knows of this tree too, and asked
     * to catch up.
     */
    void hello(WireMessage.Hello h) {
        // No endpoint: it serves nothing (`jclsync members` checking the cluster), so it is no peer.
        if (h.transferEndpoint().isEmpty()) return;
        sources.hello(h);
        // Held and released under one lock, so that an origin's batches go to the apply thread in order.
        synchronized (helloWait) {
            for (WireMessage.Batch b : helloWait.release(h.node())) applying.submit(b);
        }
        if (h.node().equals(self)) return;
        if (!view.get().contains(h.node())) {
            early.put(h.node(), new Early(h, System.nanoTime()));
            return;
        }
        early.remove(h.node());
        if (!known.add(h.node())) return;
        subtrees.joined(h.node());
        progress.joined(h.node());
        try {
            channel.send(h.node(), myHello.get());
        } catch (Exception e) {
            LOG.warning("cannot answer " + h.node() + "'s hello: " + e);
        }
        // Each side now asks the other to catch up.
        exchange.request(List.of(h.node()));
    }

    /** A batch came: held if its origin has not said hello yet, else ready for the apply thread. */
    void received(WireMessage.Batch b) {
        synchronized (helloWait) {
            if (!helloWait.hold(b, sources.saidHello(b.origin()))) applying.submit(b);
        }
    }

    void viewChanged(List<String> members) {
        sources.retain(members);
        helloWait.retain(members);
        for (String gone : known) if (!members.contains(gone)) progress.left(gone);
        known.retainAll(members);
        greet(); // members new to this tree answer with theirs (see hello)
        early.values().removeIf(e -> System.nanoTime() - e.at() > EARLY_NANOS);
        for (String node : List.copyOf(early.keySet())) {
            Early e = members.contains(node) ? early.remove(node) : null;
            if (e != null) hello(e.hello());
        }
    }

    /** The peers that said hello for this tree and are in the view, sorted. */
    List<String> known() {
        return known.stream().sorted().toList();
    }
}
