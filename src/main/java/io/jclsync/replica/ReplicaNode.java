package io.jclsync.replica;

import io.jclsync.apply.Applier;
import io.jclsync.apply.Counters;
import io.jclsync.apply.LocalTree;
import io.jclsync.apply.Staging;
import io.jclsync.cluster.ClusterLinks;
import io.jclsync.cluster.ClusterMember;
import io.jclsync.cluster.TransferServer;
import io.jclsync.cluster.TreeId;
import io.jclsync.cluster.wire.WireMessage;
import io.jclsync.config.ClusterConfig;
import io.jclsync.conflict.ConflictPolicy;
import io.jclsync.conflict.ConflictScope;
import io.jclsync.conflict.HookPolicy;
import io.jclsync.conflict.SubtreeConflicts;
import io.jclsync.echo.EchoFilter;
import io.jclsync.filter.Filter;
import io.jclsync.fs.RelPath;
import io.jclsync.state.Index;
import io.jclsync.transfer.Transfer;
import io.jclsync.versions.VersionStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * One tree of a cluster on this node: wires the channel's messages to its parts. Peers' batches
 * go, once their origin said hello ({@link Peers}), to the {@link Applier} on a single thread in
 * arrival order; catch-up requests and answers are the {@link CatchUpExchange}'s; the
 * {@link Announcer} is the daemon's transfer; the index lives in {@link IndexFiles}.
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
    private final Index versions;
    /** Numbers every batch this node sends, live or catch-up answer. */
    private final AtomicLong sequence = new AtomicLong();
    /** Open once the first scan has reconciled the index with the tree: only then is it worth sending. */
    private final CountDownLatch scanned = new CountDownLatch(1);
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jclsync-index");
        t.setDaemon(true);
        return t;
    });
    /** The only writer of peers' changes to the tree. */
    private final LocalTree localTree;
    private final SubtreeConflicts subtrees;
    private final Applier applier;
    private final Announcer announcer;
    private final Peers peers;
    private final Progress progress;
    private final CatchUps catchUps;
    private final CatchUpExchange exchange;
    /** The apply thread and what it does with each received batch. */
    private final Applying applying;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The index on disk (null until started). */
    private IndexFiles indexFiles;

    private ReplicaNode(ClusterConfig config, Path root, Supplier<Filter> filter, ClusterLinks links, ClusterLinks.Link link,
                        VersionStore kept) throws IOException {
        this.config = config;
        this.treeId = TreeId.of(config.clusterName(), config.treeName());
        this.tree = HexFormat.of().formatHex(treeId);
        this.links = links;
        this.link = link;
        this.counters = new Counters(config.stateDir().resolve("counters.json"));
        this.versions = new Index(config.nodeName(), config.tombstoneTtl());
        this.catchUps = new CatchUps(versions, counters);
        ClusterMember member = link.member();
        Channel channel = new Channel() {
            @Override
            public void broadcast(WireMessage message) throws Exception {
                member.broadcast(message);
            }

            @Override
            public boolean send(String node, WireMessage message) throws Exception {
                return member.send(node, message);
            }
        };
        this.progress = new Progress(tree, config.nodeName(), channel);
        EchoFilter echoes = new EchoFilter();
        this.localTree = new LocalTree(root, echoes, kept, rel -> {
            Index.Version v = versions.get(rel.toPath());
            return v == null ? null : v.state();
        });
        ConflictPolicy policy = config.conflictHook() == null
                ? ConflictPolicy.NEWEST
                : new HookPolicy(config.conflictHook(), root, Duration.ofSeconds(10), ConflictPolicy.NEWEST);
        this.subtrees = new SubtreeConflicts(new ConflictScope(config.conflictScopeDepth(), RelPath.of(config.conflictDir())),
                versions, policy, counters.conflicts::incrementAndGet, localTree);
        this.applier = new Applier(localTree, counters, link.access(TransferServer.module(tree)), versions, policy, subtrees);
        this.exchange = new CatchUpExchange(tree, config.nodeName(), versions, channel, subtrees, counters,
                sequence::incrementAndGet, scanned);
        this.peers = new Peers(config.nodeName(), channel, this::myHello, link::members, new Peers.Events() {
            @Override
            public void joined(String peer) {
                subtrees.joined(peer);
                progress.joined(peer);
            }

            @Override
            public void greeted(String peer) {
                exchange.request(List.of(peer));
            }

            @Override
            public void left(String peer) {
                progress.left(peer);
            }

            @Override
            public void ready(WireMessage.Batch batch) {
                applying.submit(batch);
            }
        });
        this.announcer = new Announcer(root, config.nodeName(), filter, echoes, counters, versions,
                changes -> {
                    exchange.indexesMoved();
                    long seq = sequence.incrementAndGet();
                    member.broadcast(new WireMessage.Batch(tree, config.nodeName(), seq, changes));
                    progress.sent(seq, changes.size());
                },
                scanned::countDown);
        this.applying = new Applying(tree, applier, subtrees, peers, progress, catchUps, counters, announcer, scanned);
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
                                    VersionStore versions) throws Exception {
        Files.createDirectories(config.stateDir());
        Files.createDirectories(config.linkDir());
        // What a killed run left half-pulled: never at a final path, and useless now.
        Staging.prepare(root);
        ClusterLinks.Link link = links.acquire(config);
        ReplicaNode node;
        try {
            node = new ReplicaNode(config, root, filter, links, link, versions);
        } catch (IOException | RuntimeException e) {
            links.release(link);
            throw e;
        }
        try {
            node.indexFiles = IndexFiles.open(config.stateDir(), node.versions);
            node.timers.scheduleWithFixedDelay(node.indexFiles::save, 5, 5, TimeUnit.SECONDS);
            long tick = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(CatchUpExchange.REFRESH_AFTER_NANOS) / 4);
            node.timers.scheduleWithFixedDelay(() -> node.exchange.refresh(node.peers.known()), tick, tick, TimeUnit.SECONDS);
            node.timers.scheduleWithFixedDelay(node.progress::report, 2, 2, TimeUnit.SECONDS);
            link.server().addModule(TransferServer.module(node.tree), root);
            node.counters.rejectedFrom(link.member()::rejected);
            node.counters.refusedTransfersFrom(link.server()::refused);
            // Peers that serve this tree answer the hello with theirs, and each side then catches up with the other.
            link.register(node.tree, node.new Listener());
            node.peers.greet();
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
        return progress.behind();
    }

    /** The peers in this node's current view, sorted. */
    public List<String> peers() {
        return peers.known();
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

    private final class Listener implements ClusterMember.Listener {
        @Override
        public void received(String from, WireMessage message) {
            if (message instanceof WireMessage.Hello h) {
                peers.hello(h);
            } else if (message instanceof WireMessage.Batch b) {
                if (b.part() != null && !b.part().requester().equals(config.nodeName())) return;
                if (b.part() == null) exchange.indexesMoved();
                peers.received(b);
            } else if (message instanceof WireMessage.CatchUpRequest r) {
                exchange.requested(r);
            } else if (message instanceof WireMessage.Progress p) {
                progress.reported(p);
            }
        }

        @Override
        public void viewChanged(List<String> members) {
            peers.viewChanged(members);
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        timers.shutdownNow();
        link.unregister(tree);
        exchange.close();
        boolean applyStopped = applying.stop();
        try {
            link.server().removeModule(TransferServer.module(tree));
        } catch (IOException e) {
            LOG.warning("cannot stop serving " + config.treeName() + " to peers: " + e);
        }
        links.release(link); // the last tree of the cluster leaves it and stops the transfer listener
        if (indexFiles != null) indexFiles.close();
        // A descriptor closed under a write still running could be reused for another directory.
        if (applyStopped) localTree.close();
        else LOG.warning("the apply thread did not stop within 10 s; the tree's directory handle stays open");
    }
}
