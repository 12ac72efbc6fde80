package io.jclsync.replica;

import io.jclsync.apply.Puller;
import io.jclsync.cluster.tls.Fingerprint;
import io.jclsync.cluster.wire.WireMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The peers of a tree: who said hello for it (and where to pull from it), who is in the view,
 * and the batches of origins that have not said hello yet ({@link HelloWait}). A peer becomes
 * known (and is greeted back and asked to catch up) once it said hello and is in the view.
 */
final class Peers {
    private static final Logger LOG = Logger.getLogger(Peers.class.getName());
    /**
     * How long an early hello is kept: a view that holds its sender comes within a second or two.
     * One kept longer may be a previous life's of a node that restarted since (then taking it made
     * this node count the new one as greeted before it had its tree, and never answer its hello).
     */
    private static final long EARLY_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** What the node does when peers come and go. */
    interface Events {
        /**
         * {@code peer} said hello for this tree and is in the view, for the first time since it
         * (re)joined; it is greeted back right after, then {@link #greeted} runs.
         */
        void joined(String peer);

        /** {@code peer} was greeted back: each side now asks the other to catch up. */
        void greeted(String peer);

        /** {@code peer} left the view. */
        void left(String peer);

        /** A batch may go to the apply thread now (its origin said hello); called in each origin's order. */
        void ready(WireMessage.Batch batch);
    }

    private record Early(WireMessage.Hello hello, long at) {}

    private final String self;
    private final Channel channel;
    private final Supplier<WireMessage.Hello> myHello;
    private final Supplier<List<String>> view;
    private final Events events;
    /** Per peer that said hello for this tree: where to pull from, with which key. */
    private final Map<String, Puller.Source> sources = new ConcurrentHashMap<>();
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    /** Batches from origins that have not said hello yet, held until they do. */
    private final HelloWait helloWait = new HelloWait();
    /** Hellos from nodes not yet in the view here (they can come first as views change); taken when they are. */
    private final Map<String, Early> early = new ConcurrentHashMap<>();

    /**
     * @param myHello what this node says of itself for this tree
     * @param view    the members of the channel's current view
     */
    Peers(String self, Channel channel, Supplier<WireMessage.Hello> myHello, Supplier<List<String>> view, Events events) {
        this.self = self;
        this.channel = channel;
        this.myHello = myHello;
        this.view = view;
        this.events = events;
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
     * A peer that serves this tree said hello. The first time since it (re)joined: it is answered
     * with our hello, so that it knows of this tree too (see {@link Events}).
     */
    void hello(WireMessage.Hello h) {
        // No endpoint: it serves nothing (`jclsync members` checking the cluster), so it is no peer.
        if (h.transferEndpoint().isEmpty()) return;
        Puller.Source source = new Puller.Source(h.node(), h.transferEndpoint(), Fingerprint.of(h.transferKey()));
        if (!source.equals(sources.put(h.node(), source))) {
            LOG.info("peer " + h.node() + " (pulls from " + h.transferEndpoint() + ", transfer key " + source.key() + ")");
        }
        // Held and released under one lock, so that an origin's batches go to the apply thread in order.
        synchronized (helloWait) {
            for (WireMessage.Batch b : helloWait.release(h.node())) events.ready(b);
        }
        if (h.node().equals(self)) return;
        if (!view.get().contains(h.node())) {
            early.put(h.node(), new Early(h, System.nanoTime()));
            return;
        }
        early.remove(h.node());
        if (!known.add(h.node())) return;
        events.joined(h.node());
        try {
            channel.send(h.node(), myHello.get());
        } catch (Exception e) {
            LOG.warning("cannot answer " + h.node() + "'s hello: " + e);
        }
        events.greeted(h.node());
    }

    /** A batch came: held if its origin has not said hello yet, else ready for the apply thread. */
    void received(WireMessage.Batch b) {
        synchronized (helloWait) {
            if (!helloWait.hold(b, sources.containsKey(b.origin()))) events.ready(b);
        }
    }

    void viewChanged(List<String> members) {
        sources.keySet().retainAll(members);
        helloWait.retain(members);
        for (String gone : known) if (!members.contains(gone)) events.left(gone);
        known.retainAll(members);
        greet(); // members new to this tree answer with theirs (see hello)
        early.values().removeIf(e -> System.nanoTime() - e.at() > EARLY_NANOS);
        for (String node : List.copyOf(early.keySet())) {
            Early e = members.contains(node) ? early.remove(node) : null;
            if (e != null) hello(e.hello());
        }
    }

    /**
     * Where to pull {@code origin}'s files from: the origin as it is now (it may leave the view
     * meanwhile), then every other node that said hello for this tree, read again at each call
     * (when the origin fails, a node that said hello meanwhile is a source too).
     */
    Supplier<List<Puller.Source>> sourcesFor(String origin) {
        Puller.Source first = sources.get(origin);
        return () -> {
            List<Puller.Source> all = new ArrayList<>();
            if (first != null) all.add(first);
            sources.forEach((node, s) -> {
                if (!node.equals(origin) && !node.equals(self)) all.add(s);
            });
            return all;
        };
    }

    /** The peers that said hello for this tree and are in the view, sorted. */
    List<String> known() {
        return known.stream().sorted().toList();
    }
}
