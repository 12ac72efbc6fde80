package io.jclsync.replica;

import io.jclsync.apply.Applier;
import io.jclsync.apply.Counters;
import io.jclsync.apply.LocalTree;
import io.jclsync.apply.Staging;
import io.jclsync.cluster.ClusterLinks;
import io.jclsync.cluster.TransferServer;
import io.jclsync.cluster.TreeId;
import io.jclsync.cluster.wire.WireMessage;
import io.jclsync.config.ClusterConfig;
import io.jclsync.conflict.ConflictPolicy;
import io.jclsync.conflict.ConflictScope;
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
 * One tree of a cluster on this node: makes its parts, each from parts already made, and wires the
 * channel's messages to them ({@link Inbox}). Peers' batches go, once their origin said hello
 * ({@link Peers}), to the {@link Applier} on a single thread in arrival order ({@link Applying});
 * catch-up requests and answers are the {@link CatchUpExchange}'s; the {@link Announcer} is the
 * daemon's transfer, its batches sent by {@link LiveBatches}; the index lives in {@link IndexFiles}.
 */
public final class ReplicaNode implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ReplicaNode.class.getName());
    /** Always excluded from watching and syncing: staging and working files. */
    public static final Path WORK_DIR = Path.of(".jclsync");

    private final ClusterConfig config;
    /** The tree id in hex, as messages carry it. */
    private final String tree;
    private final ClusterLinks links;
    private final ClusterLinks.Link link;
    private final Counters counters;
    private final Index versions;
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jclsync-index");
        t.setDaemon(true);
        return t;
    });
    /** The only writer of peers' changes to the tree. */
    private final LocalTree localTree;
    private final Progress progress;
    private final CatchUps catchUps;
    private final CatchUpExchange exchange;
    private final Announcer announcer;
    /** The apply thread and what it does with each received batch. */
    private final Applying applying;
    private final Peers peers;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The index on disk (null until started). */
    private IndexFiles indexFiles;

    /** Makes each part from parts already made (none is handed a part, or this node, half made). */
    private ReplicaNode(ClusterConfig config, Path root, Supplier<Filter> filter, ClusterLinks links, ClusterLinks.Link link,
                        VersionStore kept) throws IOException {
        String self = config.nodeName();
        byte[] treeId = TreeId.of(config.clusterName(), config.treeName());
        this.config = config;
        this.tree = HexFormat.of().formatHex(treeId);
        this.links = links;
        this.link = link;
        this.counters = new Counters(config.stateDir().resolve("counters.json"));
        Index index = new Index(self, config.tombstoneTtl());
        this.versions = index;
        this.catchUps = new CatchUps(index, counters);
        Channel channel = Channel.of(link.member());
        this.progress = new Progress(tree, self, channel);
        EchoFilter echoes = new EchoFilter();
        this.localTree = new LocalTree(root, echoes, kept, rel -> index.state(rel.toPath()));
        ConflictPolicy policy = ConflictPolicy.of(config.conflictHook(), root);
        SubtreeConflicts subtrees = new SubtreeConflicts(new ConflictScope(config.conflictScopeDepth(),
                RelPath.of(config.conflictDir())), index, policy, counters.conflicts::incrementAndGet, localTree.aside());
        Applier applier = new Applier(localTree, counters, link.access(TransferServer.module(tree)), index, policy, subtrees);
        // Numbers every batch this node sends, live or catch-up answer.
        AtomicLong sequence = new AtomicLong();
        // Open once the first scan has reconciled the index with the tree: only then is it worth sending.
        CountDownLatch scanned = new CountDownLatch(1);
        this.exchange = new CatchUpExchange(tree, self, index, channel, subtrees, counters, sequence::incrementAndGet, scanned);
        this.announcer = new Announcer(root, self, filter, echoes, counters, index,
                new LiveBatches(tree, self, channel, sequence, progress, exchange), scanned::countDown);
        PeerSources sources = new PeerSources(self);
        this.applying = new Applying(tree, applier, subtrees, sources, progress, catchUps, counters, announcer, scanned);
        Supplier<WireMessage.Hello> hello = () -> new WireMessage.Hello(self, treeId, link.endpoint(), index.log().indexId(),
                link.identity().fingerprint().bytes());
        this.peers = new Peers(self, channel, hello, link::members, sources, subtrees, progress, exchange, applying);
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
            node.timers.scheduleWithFixedDelay(() -> node.exchange.refresh(node.peers.known(),
                    node.catchUps.busy(CatchUpExchange.REFRESH_AFTER_NANOS)), tick, tick, TimeUnit.SECONDS);
            node.timers.scheduleWithFixedDelay(node.progress::report, 2, 2, TimeUnit.SECONDS);
            link.server().addModule(TransferServer.module(node.tree), root);
            node.counters.rejectedFrom(link.member()::rejected);
            node.counters.refusedTransfersFrom(link.server()::refused);
            // Peers that serve this tree answer the hello with theirs, and each side then catches up with the other.
            link.register(node.tree, new Inbox(config.nodeName(), node.peers, node.exchange, node.progress));
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

    /** The index (for tests in this package: what each node holds for a path). */
    Index index() {
        return versions;
    }

    /** The peers in this node's current view, sorted. */
    public List<String> peers() {
        return peers.known();
    }

    /** The transfer of cluster mode: local batches become announcements. */
    public Transfer announcer() {
        return announcer;
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
