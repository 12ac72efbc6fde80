package io.jclsync.cluster;

import io.jclsync.cluster.wire.WireMessage;
import io.jclsync.config.ClusterConfig;
import io.jclsync.filter.Filter;
import io.jclsync.sync.Transfer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * One node of a cluster: its membership, its rsync daemon, the announcer that is its transfer,
 * and the applier for peers' batches (on a single thread, in arrival order).
 */
public final class ClusterNode implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ClusterNode.class.getName());
    /** Always excluded from watching and syncing: staging and working files. */
    public static final Path WORK_DIR = Path.of(".jclsync");

    private final ClusterConfig config;
    private final byte[] treeId;
    private final Counters counters;
    private final EchoFilter echoes = new EchoFilter();
    private final Map<String, String> endpoints = new ConcurrentHashMap<>();
    private final ExecutorService applyThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "jclsync-apply");
        t.setDaemon(true);
        return t;
    });
    private final Announcer announcer;
    private final Applier applier;
    private final PathVersions versions;
    private final java.util.concurrent.ScheduledExecutorService saver =
            Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "jclsync-index");
                t.setDaemon(true);
                return t;
            });
    private TransferDaemon daemon;
    private Runnable newPeers = () -> { };
    private final java.util.Set<String> known = ConcurrentHashMap.newKeySet();
    private ClusterMember member;

    private ClusterNode(ClusterConfig config, Path root, Supplier<Filter> filter, String transferPassword) {
        this.config = config;
        this.treeId = treeId(config.clusterName());
        this.counters = new Counters(config.stateDir().resolve("counters.json"));
        this.versions = new PathVersions(config.nodeName(), config.tombstoneTtl());
        this.announcer = new Announcer(root, config.nodeName(), filter, echoes, counters, versions,
                b -> member.broadcast(b));
        this.applier = new Applier(root, echoes, counters, transferPassword, versions);
    }

    /** The id of the tree a cluster syncs (for now derived from its name): peers with another id are refused. */
    public static byte[] treeId(String clusterName) {
        try {
            return MessageDigest.getInstance("SHA-256")
                    .digest(("jclsync-tree/" + clusterName).getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Starts the rsync daemon, then joins the cluster.
     *
     * @param newPeers called when nodes join the view: the caller then has this node's whole state
     *                 announced (a full sync), so they learn what it has
     */
    public static ClusterNode start(ClusterConfig config, Path root, Supplier<Filter> filter, Runnable newPeers)
            throws Exception {
        ClusterSecret secret = ClusterSecret.read(config.secretFile());
        Files.createDirectories(config.stateDir());
        Files.createDirectories(root.resolve(Applier.STAGING));
        // Key derivation is deliberately slow (PBKDF2): derive the password once.
        String transferPassword = secret.transferPassword(config.clusterName());
        ClusterNode node = new ClusterNode(config, root, filter, transferPassword);
        node.newPeers = newPeers;
        try {
            node.versions.load(node.indexFile());
        } catch (io.jclsync.cluster.wire.WireException e) {
            throw new IOException("the index " + node.indexFile() + " is damaged (" + e.getMessage() + "); move it "
                    + "away to start over: the node then compares its whole tree with its peers as a new node would");
        }
        node.saver.scheduleWithFixedDelay(node::saveIndex, 5, 5, TimeUnit.SECONDS);
        try {
            InetSocketAddress transfer = new InetSocketAddress(config.bind().getAddress(), config.transferPort());
            node.daemon = TransferDaemon.start(root, config.stateDir(), transfer, transferPassword);
            node.member = ClusterMember.joinTcp(config.clusterName(), config.nodeName(), config.bind(),
                    config.peers(), secret, node.new Listener());
            node.counters.rejectedFrom(node.member::rejected);
            node.hello();
            node.counters.save();
            return node;
        } catch (Exception e) {
            node.close();
            throw e;
        }
    }

    /** The transfer of cluster mode: local batches become announcements. */
    public Transfer announcer() {
        return announcer;
    }

    private void hello() {
        String endpoint = config.bind().getAddress().getHostAddress() + ":" + config.transferPort();
        try {
            member.broadcast(new WireMessage.Hello(config.nodeName(), treeId, endpoint, Map.of()));
        } catch (Exception e) {
            LOG.warning("cannot send hello: " + e);
        }
    }

    private final class Listener implements ClusterMember.Listener {
        @Override
        public void received(String from, WireMessage message) {
            if (message instanceof WireMessage.Hello h) {
                if (!Arrays.equals(h.treeId(), treeId)) {
                    LOG.warning("refusing " + h.node() + ": it syncs another tree");
                    return;
                }
                if (endpoints.put(h.node(), h.transferEndpoint()) == null) {
                    LOG.info("peer " + h.node() + " (pulls from " + h.transferEndpoint() + ")");
                }
            } else if (message instanceof WireMessage.Batch b) {
                applyThread.execute(() -> apply(b));
            }
        }

        @Override
        public void viewChanged(List<String> members) {
            LOG.info("cluster " + config.clusterName() + ": " + members);
            endpoints.keySet().retainAll(members);
            boolean joined = false;
            for (String m : members) {
                if (!m.equals(config.nodeName()) && known.add(m)) joined = true;
            }
            known.retainAll(members);
            if (member != null) hello();
            if (joined) newPeers.run();
        }
    }

    private void apply(WireMessage.Batch b) {
        try {
            String endpoint = null;
            for (int i = 0; i < 200 && (endpoint = endpoints.get(b.origin())) == null; i++) Thread.sleep(50);
            if (endpoint == null) {
                LOG.warning("batch " + b.origin() + "#" + b.sequence() + " from a node that never said hello; ignored");
                return;
            }
            applier.apply(b, endpoint);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warning("applying batch " + b.origin() + "#" + b.sequence() + " failed: " + e);
        }
    }

    private Path indexFile() {
        return config.stateDir().resolve("index");
    }

    private void saveIndex() {
        try {
            versions.saveIfDirty(indexFile());
        } catch (IOException | RuntimeException e) {
            LOG.warning("cannot save the index " + indexFile() + ": " + e);
        }
    }

    @Override
    public void close() {
        saver.shutdownNow();
        if (member != null) member.close();
        applyThread.shutdownNow();
        try {
            applyThread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (daemon != null) daemon.close();
        saveIndex();
    }
}
