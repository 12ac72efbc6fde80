package io.jclsync.replica;

import io.jclsync.cluster.TransferServer;
import io.jclsync.cluster.ClusterLinks;
import io.jclsync.conflict.SubtreeConflicts;
import io.jclsync.cluster.ClusterMember;

import io.jclsync.apply.LocalTree;
import io.jclsync.apply.Applier;
import io.jclsync.apply.Puller;
import io.jclsync.apply.Counters;

import io.jclsync.cluster.tls.Fingerprint;
import io.jclsync.cluster.wire.IndexCodec;
import io.jclsync.cluster.wire.IndexJournal;
import io.jclsync.cluster.wire.WireMessage;
import io.jclsync.echo.EchoFilter;
import io.jclsync.state.Index;
import io.jclsync.config.ClusterConfig;
import io.jclsync.filter.Filter;
import io.jclsync.transfer.Transfer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * One node of a cluster: its membership, the transfer listener serving its tree, the announcer
 * that is its transfer, and the applier for peers' batches (on a single thread, in arrival order).
 */
public final class ReplicaNode implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ReplicaNode.class.getName());
    /** Always excluded from watching and syncing: staging and working files. */
    public static final Path WORK_DIR = Path.of(".jclsync");

    private final ClusterConfig config;
    private final byte[] treeId;
    /** The tree id in hex, as messages carry it. */
    private final String tree;
    private final ClusterLinks links;
    private final ClusterLinks.Link link;
    private final Counters counters;
    private final EchoFilter echoes = new EchoFilter();
    /** Numbers every batch this node sends, live or catch-up answer. */
    private final AtomicLong sequence = new AtomicLong();
    /** Open once the first scan has reconciled the index with the tree: only then is it worth sending. */
    private final java.util.concurrent.CountDownLatch scanned = new java.util.concurrent.CountDownLatch(1);
    /** Per peer that said hello for this tree: where to pull from, with which key. */
    private final Map<String, Puller.Source> sources = new ConcurrentHashMap<>();
    /**
     * Received batches wait here to be applied, at most {@link #APPLY_QUEUE}: beyond that the
     * channel's delivery thread blocks until one is taken (back-pressure on the sender: JGroups'
     * flow control then holds its further messages), so a fast or hostile peer cannot fill the
     * heap and nothing is dropped.
     */
    private final java.util.concurrent.ThreadPoolExecutor applyThread = new java.util.concurrent.ThreadPoolExecutor(
            1, 1, 0, TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(APPLY_QUEUE), r -> {
                Thread t = new Thread(r, "jclsync-apply");
                t.setDaemon(true);
                return t;
            }, (task, pool) -> {
                if (pool.isShutdown()) return;
                try {
                    pool.getQueue().put(task);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
    static final int APPLY_QUEUE = 16;
    private final CatchUpAnswers answers = new CatchUpAnswers(CatchUpAnswers.MIN_INTERVAL_NANOS);
    private final ExecutorService answerThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "jclsync-answer");
        t.setDaemon(true);
        return t;
    });
    private final Announcer announcer;
    private final Applier applier;
    private final SubtreeConflicts subtrees;
    /** The only writer of peers' changes to the tree. */
    private final LocalTree localTree;
    /** How far behind this node each peer is, from their {@link WireMessage.Progress} reports. */
    private final PeerLag lag = new PeerLag();
    /** Per origin: the highest sequence of its live batches applied here, reported every 2 s when it moves. */
    private final Map<String, Long> appliedFrom = new ConcurrentHashMap<>();
    private volatile boolean appliedMoved;
    private final Index versions;
    private final CatchUps catchUps;
    private final java.util.concurrent.ScheduledExecutorService saver =
            Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "jclsync-index");
                t.setDaemon(true);
                return t;
            });
    private final java.util.Set<String> known = ConcurrentHashMap.newKeySet();
    /** Batches from origins that have not said hello yet, held until they do. */
    private final HelloWait helloWait = new HelloWait();
    /** Hellos from nodes not yet in the view here (they can come first as views change); taken when they are. */
    private final Map<String, Early> early = new ConcurrentHashMap<>();
    /**
     * How long an early hello is kept: a view that holds its sender comes within a second or two.
     * One kept longer may be a previous life's of a node that restarted since (then taking it made
     * this node count the new one as greeted before it had its tree, and never answer its hello).
     */
    private static final long EARLY_NANOS = TimeUnit.SECONDS.toNanos(5);

    private record Early(WireMessage.Hello hello, long at) {}
    /**
     * When this node last saw peers' indexes move (it sent or received a live batch, or sent index
     * entries in a catch-up answer); 0 once positions were refreshed after it.
     */
    private final AtomicLong lastLiveBatch = new AtomicLong();
    /** A peer quiet this long after sending live batches is asked to catch up, to move its position. */
    private static final long REFRESH_AFTER_NANOS =
            TimeUnit.SECONDS.toNanos(Long.getLong("jclsync.positionRefreshSeconds", 60));
    private final ClusterMember member;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private ReplicaNode(ClusterConfig config, Path root, Supplier<Filter> filter, ClusterLinks links, ClusterLinks.Link link,
                        io.jclsync.versions.VersionStore kept) throws IOException {
        this.config = config;
        this.treeId = treeId(config.clusterName(), config.treeName());
        this.tree = java.util.HexFormat.of().formatHex(treeId);
        this.links = links;
        this.link = link;
        this.member = link.member();
        this.counters = new Counters(config.stateDir().resolve("counters.json"));
        this.versions = new Index(config.nodeName(), config.tombstoneTtl());
        this.catchUps = new CatchUps(versions, counters);
        this.announcer = new Announcer(root, config.nodeName(), filter, echoes, counters, versions,
                changes -> {
                    lastLiveBatch.set(System.nanoTime());
                    long seq = sequence.incrementAndGet();
                    member.broadcast(new WireMessage.Batch(tree, config.nodeName(), seq, changes));
                    lag.sent(seq, changes.size());
                },
                scanned::countDown);
        this.localTree = new LocalTree(root, echoes, kept, rel -> {
            Index.Version v = versions.get(rel.toPath());
            return v == null ? null : v.state();
        });
        io.jclsync.conflict.ConflictPolicy policy = config.conflictHook() == null
                ? io.jclsync.conflict.ConflictPolicy.NEWEST
                : new io.jclsync.conflict.HookPolicy(config.conflictHook(), root, java.time.Duration.ofSeconds(10),
                        io.jclsync.conflict.ConflictPolicy.NEWEST);
        this.subtrees = new SubtreeConflicts(new io.jclsync.conflict.ConflictScope(config.conflictScopeDepth(),
                io.jclsync.fs.RelPath.of(config.conflictDir())), versions, policy,
                counters.conflicts::incrementAndGet, localTree);
        this.applier = new Applier(localTree, counters, link.access(TransferServer.module(tree)), versions, policy,
                subtrees);
    }

    /** The id of the tree a cluster syncs (derived from its name): peers with another id are refused. */
    public static byte[] treeId(String clusterName) {
        return treeId(clusterName, null);
    }

    /** The id of tree {@code treeName} of a --ctl-socket host (null: the cluster's one tree). */
    public static byte[] treeId(String clusterName, String treeName) {
        try {
            String name = "jclsync-tree/" + clusterName + (treeName == null ? "" : "/" + treeName);
            return MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Loads the index, then joins the cluster (or, in a --ctl-socket host, the channel its other
     * trees of this cluster share) and serves the tree to peers. The caller runs a full scan
     * through {@link #announcer()} next: it reconciles the index with the tree and announces what
     * changed while the node was down.
     *
     * @param versions where the files peers' changes replace or delete here are kept (null: nowhere)
     */
    public static ReplicaNode start(ClusterConfig config, Path root, Supplier<Filter> filter, ClusterLinks links,
                                    io.jclsync.versions.VersionStore versions) throws Exception {
        Files.createDirectories(config.stateDir());
        Files.createDirectories(config.linkDir());
        // What a killed run left half-pulled: never at a final path, and useless now.
        LocalTree.prepareStaging(root);
        ClusterLinks.Link link = links.acquire(config);
        ReplicaNode node;
        try {
            node = new ReplicaNode(config, root, filter, links, link, versions);
        } catch (IOException | RuntimeException e) {
            links.release(link);
            throw e;
        }
        try {
            try {
                if (Files.exists(node.indexFile())) node.versions.restore(IndexCodec.read(node.indexFile()));
                node.journal = IndexJournal.open(node.config.stateDir(), node.versions);
                node.versions.journal(node.journal);
            } catch (io.jclsync.cluster.wire.WireException e) {
                throw new IOException("the index " + node.indexFile() + " is damaged (" + e.getMessage() + "); move it "
                        + "away to start over: the node then compares its whole tree with its peers as a new node would");
            }
            node.saver.scheduleWithFixedDelay(node::saveIndex, 5, 5, TimeUnit.SECONDS);
            long tick = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(REFRESH_AFTER_NANOS) / 4);
            node.saver.scheduleWithFixedDelay(node::refreshPositions, tick, tick, TimeUnit.SECONDS);
            node.saver.scheduleWithFixedDelay(node::reportProgress, 2, 2, TimeUnit.SECONDS);
            link.server().addModule(TransferServer.module(node.tree), root);
            node.counters.rejectedFrom(link.member()::rejected);
            node.counters.refusedTransfersFrom(link.server()::refused);
            // Peers that serve this tree answer the hello with theirs, and each side then catches up with the other.
            link.register(node.tree, node.new Listener());
            node.hello();
            node.counters.save();
            return node;
        } catch (Exception e) {
            node.close();
            throw e;
        }
    }

    /** The node's counters (announced, received, pulled, echoes suppressed, conflicts, ...). */
    public Map<String, Long> counterValues() {
        return counters.values();
    }

    /** Catch-ups in progress: per peer, index entries received and files and bytes pulled so far. */
    public Map<String, List<Long>> catchUpProgress() {
        return catchUps.progress();
    }

    /** Per peer in view: live batches of this node it has not applied yet, their changes, the oldest's age (ms). */
    public Map<String, List<Long>> behind() {
        Map<String, List<Long>> out = new java.util.TreeMap<>();
        lag.lag().forEach((peer, l) -> out.put(peer, List.of(l.batches(), l.changes(), l.oldestMillis())));
        return out;
    }

    /** The peers in this node's current view, sorted. */
    public List<String> peers() {
        return known.stream().sorted().toList();
    }

    /** The transfer of cluster mode: local batches become announcements. */
    public Transfer announcer() {
        return announcer;
    }

    /** What this node says of itself for this tree. */
    private WireMessage.Hello myHello() {
        return new WireMessage.Hello(config.nodeName(), treeId, link.endpoint(), versions.indexId(),
                link.identity().fingerprint().bytes());
    }

    private void hello() {
        try {
            member.broadcast(myHello());
        } catch (Exception e) {
            LOG.warning("cannot send hello: " + e);
        }
    }

    /**
     * A peer that serves this tree said hello. The first time since it (re)joined: each side asks
     * the other to catch up, and it is answered with our hello, so that it knows of this tree too.
     */
    private void helloFrom(WireMessage.Hello h) {
        // No endpoint: it serves nothing (`jclsync members` checking the cluster), so it is no peer.
        if (h.transferEndpoint().isEmpty()) return;
        Puller.Source source = new Puller.Source(h.node(), h.transferEndpoint(), Fingerprint.of(h.transferKey()));
        if (!source.equals(sources.put(h.node(), source))) {
            LOG.info("peer " + h.node() + " (pulls from " + h.transferEndpoint() + ", transfer key " + source.key() + ")");
        }
        synchronized (helloWait) {
            for (WireMessage.Batch b : helloWait.release(h.node())) applyThread.execute(() -> apply(b));
        }
        if (h.node().equals(config.nodeName())) return;
        if (!link.members().contains(h.node())) {
            early.put(h.node(), new Early(h, System.nanoTime()));
            return;
        }
        early.remove(h.node());
        if (!known.add(h.node())) return;
        subtrees.joined(h.node());
        lag.joined(h.node());
        appliedFrom.remove(h.node()); // its batch sequences start again
        try {
            member.send(h.node(), myHello());
        } catch (Exception e) {
            LOG.warning("cannot answer " + h.node() + "'s hello: " + e);
        }
        requestCatchUp(List.of(h.node()));
    }

    private final class Listener implements ClusterMember.Listener {
        @Override
        public void received(String from, WireMessage message) {
            if (message instanceof WireMessage.Hello h) {
                helloFrom(h);
            } else if (message instanceof WireMessage.Batch b) {
                if (b.part() != null && !b.part().requester().equals(config.nodeName())) return;
                if (b.part() == null) lastLiveBatch.set(System.nanoTime());
                // Held and released under one lock, so that an origin's batches go to the apply thread in order.
                synchronized (helloWait) {
                    if (!helloWait.hold(b, sources.containsKey(b.origin()))) applyThread.execute(() -> apply(b));
                }
            } else if (message instanceof WireMessage.CatchUpRequest r) {
                if (r.since().containsKey(config.nodeName()) && answers.offer(r)) {
                    answerThread.execute(() -> answerNext(r.requester()));
                }
            } else if (message instanceof WireMessage.Progress p) {
                Long applied = p.applied().get(config.nodeName());
                if (applied != null) lag.applied(p.node(), applied);
            }
        }

        @Override
        public void viewChanged(List<String> members) {
            sources.keySet().retainAll(members);
            helloWait.retain(members);
            for (String gone : known) if (!members.contains(gone)) lag.left(gone);
            known.retainAll(members);
            hello(); // members new to this tree answer with theirs (see helloFrom)
            early.values().removeIf(e -> System.nanoTime() - e.at() > EARLY_NANOS);
            for (String node : List.copyOf(early.keySet())) {
                Early e = members.contains(node) ? early.remove(node) : null;
                WireMessage.Hello h = e == null ? null : e.hello();
                if (h != null) helloFrom(h);
            }
        }
    }

    /**
     * Asks each peer that (re)joined the view for the entries of its index this node has not
     * taken yet; the answers come as batches with an {@link WireMessage.IndexPart}.
     */
    private void requestCatchUp(List<String> peers) {
        Map<String, Index.Position> since = new java.util.HashMap<>();
        for (String p : peers) {
            Index.Position pos = versions.position(p);
            since.put(p, pos == null ? new Index.Position(0, 0) : pos);
        }
        LOG.info("catching up with " + since.keySet());
        try {
            member.broadcast(new WireMessage.CatchUpRequest(tree, config.nodeName(), since));
        } catch (Exception e) {
            LOG.warning("cannot ask " + since.keySet() + " for catch-up: " + e);
        }
    }

    /**
     * How far we have a peer's index only moves when it answers a catch-up request, so a node that
     * leaves and comes back would be sent again every change made since it last joined. So once
     * the cluster has been quiet for a while (a minute) after changes, every peer is asked again:
     * the answers hold what we already have (nothing is pulled) and move our positions. This ends:
     * an answer to a refresh is empty unless the peer's index moved again.
     */
    private void refreshPositions() {
        long last = lastLiveBatch.get();
        if (last == 0 || System.nanoTime() - last < REFRESH_AFTER_NANOS) return;
        if (!lastLiveBatch.compareAndSet(last, 0)) return;
        List<String> peers = List.copyOf(known);
        if (!peers.isEmpty()) requestCatchUp(peers);
    }

    /** Sends {@code r}'s requester the entries of our index it lacks, in parts, oldest change first. */
    private void answerNext(String requester) {
        WireMessage.CatchUpRequest r;
        try {
            scanned.await();
            r = answers.take(requester);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        Index.Answer a = versions.answer(r.since().get(config.nodeName()));
        List<WireMessage.Change> changes = new java.util.ArrayList<>(a.entries().size());
        for (Map.Entry<Path, Index.Version> e : a.entries()) changes.add(WireMessage.Change.of(e.getKey(), e.getValue()));
        try {
            int from = 0;
            do {
                int to = Math.min(changes.size(), from + Announcer.CHANGES_PER_MESSAGE);
                WireMessage.IndexPart part = new WireMessage.IndexPart(r.requester(), a.indexId(), a.through(),
                        to == changes.size(), subtrees.summaries(r.requester(), changes.subList(from, to)));
                if (!member.send(r.requester(), new WireMessage.Batch(tree, config.nodeName(), sequence.incrementAndGet(),
                        changes.subList(from, to), part))) {
                    LOG.warning("cannot answer " + r.requester() + "'s catch-up request: it is not in the view");
                    return;
                }
                from = to;
            } while (from < changes.size());
            counters.catchUpEntriesSent.addAndGet(changes.size());
            if (!changes.isEmpty()) lastLiveBatch.set(System.nanoTime()); // the requester's index may move
            LOG.info("sent " + r.requester() + " " + changes.size() + " index entries (of " + versions.size() + ")");
        } catch (Exception e) {
            LOG.warning("cannot answer " + r.requester() + "'s catch-up request: " + e);
        }
    }

    private void apply(WireMessage.Batch b) {
        try {
            // What changed here while the node was down must be in the index before peers' versions
            // are compared with it.
            scanned.await();
            // The origin said hello before its batch came here (HelloWait), but may have left the
            // view since: then its files are pulled from the other peers, if they have them.
            Puller.Source origin = sources.get(b.origin());
            // Read again when the origin fails: a node that said hello meanwhile is a source too.
            Supplier<List<Puller.Source>> from = () -> {
                List<Puller.Source> all = new java.util.ArrayList<>();
                if (origin != null) all.add(origin);
                sources.forEach((node, s) -> {
                    if (!node.equals(b.origin()) && !node.equals(config.nodeName())) all.add(s);
                });
                return all;
            };
            long filesBefore = counters.filesPulled.get();
            long bytesBefore = counters.bytesPulled.get();
            WireMessage.IndexPart part = b.part();
            boolean complete = applier.apply(part == null ? b
                    : new WireMessage.Batch(tree, b.origin(), b.sequence(), subtrees.admit(b.origin(), part, b.changes()), part),
                    from);
            if (part == null) {
                appliedFrom.merge(b.origin(), b.sequence(), Math::max);
                appliedMoved = true;
            }
            List<WireMessage.Change> kept = applier.takeKept();
            if (!kept.isEmpty()) announce(kept);
            boolean waiting = false;
            if (part != null && part.last()) {
                SubtreeConflicts.Decisions d = subtrees.decide(b.origin());
                waiting = d.waiting();
                announce(d.takeover());
            }
            if (part != null) {
                catchUps.applied(b.origin(), part, b.changes().size(), counters.filesPulled.get() - filesBefore,
                        counters.bytesPulled.get() - bytesBefore, complete, waiting);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warning("applying batch " + b.origin() + "#" + b.sequence() + " failed: " + e);
        }
    }

    /** Announces changes made to the index here (not by the watcher), as the watcher's are. */
    private void announce(List<WireMessage.Change> changes) {
        try {
            announcer.announce(changes);
        } catch (Exception e) {
            LOG.warning("cannot announce " + changes.size() + " changes: " + e + "; peers take them at their next catch-up");
        }
    }

    /** Tells the peers how far this node has applied their live batches (when that moved). */
    private void reportProgress() {
        if (!appliedMoved) return;
        appliedMoved = false;
        try {
            member.broadcast(new WireMessage.Progress(tree, config.nodeName(), Map.copyOf(appliedFrom)));
        } catch (Exception e) {
            appliedMoved = true;
            LOG.fine("cannot report progress: " + e);
        }
    }

    /** Every index change as it happens, between two saves of the whole index (null until started). */
    private IndexJournal journal;

    private Path indexFile() {
        return config.stateDir().resolve("index");
    }

    private void saveIndex() {
        try {
            Index.Snapshot snapshot = versions.snapshotIfDirty();
            if (snapshot != null) {
                IndexCodec.write(indexFile(), snapshot);
                if (journal != null) journal.snapshotSaved();
            }
        } catch (IOException | RuntimeException e) {
            LOG.warning("cannot save the index " + indexFile() + ": " + e);
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        saver.shutdownNow();
        link.unregister(tree);
        answerThread.shutdownNow();
        applyThread.shutdownNow();
        boolean applyStopped = false;
        try {
            applyStopped = applyThread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            link.server().removeModule(TransferServer.module(tree));
        } catch (IOException e) {
            LOG.warning("cannot stop serving " + config.treeName() + " to peers: " + e);
        }
        links.release(link); // the last tree of the cluster leaves it and stops the transfer listener
        saveIndex();
        if (journal != null) journal.close();
        // A descriptor closed under a write still running could be reused for another directory.
        if (applyStopped) localTree.close();
        else LOG.warning("the apply thread did not stop within 10 s; the tree's directory handle stays open");
    }
}
