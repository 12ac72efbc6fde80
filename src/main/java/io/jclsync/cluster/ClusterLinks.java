package io.jclsync.cluster;

import io.jclsync.cluster.tls.Fingerprint;
import io.jclsync.cluster.tls.NodeIdentity;
import io.jclsync.cluster.wire.WireMessage;
import io.jclsync.config.ClusterConfig;
import io.jclsync.config.ConfigException;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * What the cluster trees of one process share: per cluster (name and address), one channel, one
 * transfer key with the pins of the peers' keys, and one transfer listener for peers' pulls,
 * serving each tree as a module of its own. Messages are handed to the tree whose id they carry
 * (a hello only once its transfer key is the one pinned for its node); view changes to every
 * tree. A link is made for the first tree of a cluster and closed with the last.
 */
public final class ClusterLinks {
    private static final Logger LOG = Logger.getLogger(ClusterLinks.class.getName());

    private final Map<String, Link> links = new HashMap<>();
    private final Joiner joiner;

    /** How a link joins its cluster. */
    interface Joiner {
        ClusterMember join(ClusterConfig config, ClusterSecret secret, ClusterMember.Listener link) throws Exception;
    }

    /** Links that join over the network, as each cluster's config says (TCP or UDP multicast). */
    public ClusterLinks() {
        this(ClusterLinks::joinNetwork);
    }

    /** Links that join with {@code joiner}: in-JVM tests' shared-loopback stack. */
    ClusterLinks(Joiner joiner) {
        this.joiner = joiner;
    }

    private static ClusterMember joinNetwork(ClusterConfig config, ClusterSecret secret, ClusterMember.Listener link)
            throws Exception {
        return ClusterMember.joinNetwork(config.clusterName(), config.nodeName(), config.bind(), config.peers(),
                config.multicast(), secret, link);
    }

    /** One channel, transfer key and listener, and the trees using them. */
    public static final class Link implements ClusterMember.Listener {
        private final String key;
        private final String clusterName;
        /** The options it was joined with: every tree using it must have the same. */
        private final List<Object> options;
        /** The rsync passwords of the secrets, the one in use (pulls use it) first. */
        final List<String> passwords;
        private final String endpoint;
        private final NodeIdentity identity;
        final MemberKeys keys;
        private final Map<String, ClusterMember.Listener> trees = new ConcurrentHashMap<>();
        private volatile List<String> members = List.of();
        private ClusterMember member;
        private TransferServer server;
        private int users;

        private Link(String key, ClusterConfig config, List<String> passwords, NodeIdentity identity, MemberKeys keys) {
            this.key = key;
            this.clusterName = config.clusterName();
            this.options = options(config);
            this.passwords = List.copyOf(passwords);
            this.identity = identity;
            this.keys = keys;
            this.endpoint = System.getProperty("jclsync.transfer.advertise",
                    config.bind().getAddress().getHostAddress() + ":" + config.transferPort());
        }

        /** Where peers pull from this node: its transfer listener's host:port. */
        public String endpoint() {
            return endpoint;
        }

        /** This node's transfer key. */
        public NodeIdentity identity() {
            return identity;
        }

        /** The channel. */
        public ClusterMember member() {
            return member;
        }

        /** The rsync modules peers pull from, behind the transfer listener. */
        public TransferServer server() {
            return server;
        }

        public void register(String tree, ClusterMember.Listener listener) {
            trees.put(tree, listener);
        }

        public void unregister(String tree) {
            trees.remove(tree);
        }

        /** The members of the current view. */
        public List<String> members() {
            return members;
        }

        /** The node's transfer key and how pulls from {@code module} are made. */
        public TransferAccess access(String module) {
            return new TransferAccess(identity, passwords.get(0), module);
        }

        @Override
        public void received(String from, WireMessage message) {
            if (message instanceof WireMessage.Hello h && !h.transferEndpoint().isEmpty()) {
                if (!keys.admit(h.node(), Fingerprint.of(h.transferKey()))) return;
            } else if (keys.refused(from)) {
                return; // a node whose key is not its pinned one is not heard at all
            }
            String tree;
            if (message instanceof WireMessage.Hello h) tree = h.tree();
            else if (message instanceof WireMessage.Batch b) tree = b.tree();
            else if (message instanceof WireMessage.CatchUpRequest r) tree = r.tree();
            else if (message instanceof WireMessage.Progress p) tree = p.tree();
            else return;
            ClusterMember.Listener l = trees.get(tree);
            if (l != null) l.received(from, message);
            else if (message instanceof WireMessage.Hello h) LOG.fine(h.node() + " syncs a tree this node does not (" + tree + ")");
        }

        @Override
        public void viewChanged(List<String> view) {
            LOG.info("cluster " + clusterName + ": " + view);
            members = List.copyOf(view);
            keys.retain(members);
            for (ClusterMember.Listener l : trees.values()) l.viewChanged(members);
        }
    }

    /** What the trees sharing a link must agree on. */
    private static List<Object> options(ClusterConfig c) {
        return List.of(c.nodeName(), c.secretFile(), c.peers(), String.valueOf(c.multicast()), c.transferPort(), c.linkDir());
    }

    /**
     * The link of {@code config}'s cluster: joined (and its transfer listener started) for its first
     * tree. Every tree of a cluster in one process MUST share its options.
     *
     * @throws ConfigException when they differ from those the link was made with
     */
    public synchronized Link acquire(ClusterConfig config) throws Exception {
        PrivateFiles.prepareStateDir(config.linkDir());
        PrivateFiles.prepareStateDir(config.stateDir());
        String key = config.clusterName() + "@" + config.bind();
        Link link = links.get(key);
        if (link != null && !link.options.equals(options(config))) {
            throw new ConfigException("cluster " + config.clusterName() + " on " + config.bind()
                    + " is already joined with other options (node name, secret, peers, multicast, transfer port or "
                    + "state dir): every tree of one cluster in a host must use the same");
        }
        if (link == null) {
            ClusterSecret secret = ClusterSecret.read(config.secretFile());
            // Key derivation is deliberately slow (PBKDF2): once per link.
            link = new Link(key, config, secret.transferPasswords(config.clusterName()),
                    transferKey(config.linkDir(), config.nodeName()), MemberKeys.open(config.linkDir()));
            InetAddress address = config.bind().getAddress();
            while (true) {
                awaitLocal(address);
                try {
                    InetSocketAddress transfer = new InetSocketAddress(address, config.transferPort());
                    link.server = TransferServer.start(config.linkDir(), transfer, link.passwords, link.identity, link.keys,
                            List.of());
                    link.member = joiner.join(config, secret, link);
                    break;
                } catch (Exception e) {
                    close(link);
                    link.server = null;
                    link.member = null;
                    // The link went down between the check and the join (JGroups checks again): wait again.
                    String down = notUp(address);
                    if (down == null) throw e;
                    LOG.warning(address.getHostAddress() + " went down while joining (" + down + "; " + e.getMessage()
                            + "): waiting for it again");
                }
            }
            links.put(key, link);
        }
        link.users++;
        return link;
    }

    /** The node's transfer key, made at its first start. */
    private static NodeIdentity transferKey(Path stateDir, String node) throws IOException, ConfigException {
        Path file = stateDir.resolve(NodeIdentity.FILE);
        PrivateFiles.checkPrivateFileIfPresent(file, "transfer key");
        NodeIdentity identity = NodeIdentity.loadOrCreate(file, node);
        LOG.info("this node's transfer key is " + identity.fingerprint() + " (" + file + ")");
        return identity;
    }

    /**
     * Waits until {@code address} is on an interface of this host that is up: a node started before
     * its network is (at boot, or while its link is down) joins when it comes, instead of exiting.
     * A socket is bound to it as the channel and the transfer listener do next; an address other than
     * loopback must also be on an interface that is up, as JGroups checks.
     */
    private static void awaitLocal(InetAddress address) throws InterruptedException {
        Long warned = null;
        while (true) {
            String why = notUp(address);
            if (why == null) {
                if (warned != null) LOG.info(address.getHostAddress() + " is up: joining the cluster");
                return;
            }
            if (warned == null || System.nanoTime() - warned > TimeUnit.SECONDS.toNanos(30)) {
                LOG.warning(address.getHostAddress() + " is not an address of this host that is up (" + why
                        + "): waiting for it before joining the cluster (`ip addr` lists this host's addresses)");
                warned = System.nanoTime();
            }
            Thread.sleep(500);
        }
    }

    /** Why {@code address} cannot be joined through now, or null if it can (see {@link #awaitLocal}). */
    private static String notUp(InetAddress address) {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(address, 0))) {
            if (address.isLoopbackAddress()) return null;
            NetworkInterface nic = NetworkInterface.getByInetAddress(address);
            if (nic != null && nic.isUp()) return null;
            return nic == null ? "on no interface" : nic.getName() + " is down";
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    /** A tree no longer uses {@code link}; the last one closes it. */
    public synchronized void release(Link link) {
        if (--link.users > 0) return;
        links.remove(link.key);
        close(link);
    }

    private static void close(Link link) {
        if (link.member != null) link.member.close();
        if (link.server != null) link.server.close();
    }
}
