package io.jclsync.cluster;


import io.jclsync.cluster.tls.Fingerprint;
import io.jclsync.cluster.tls.NodeIdentity;
import io.jclsync.cluster.tls.TransferTunnel;
import io.jclsync.process.ProcessRunner;
import io.jclsync.cluster.wire.WireMessage;
import io.jclsync.fs.FileType;
import io.jclsync.fs.PathBytes;
import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import io.jclsync.state.FileStates;
import io.jclsync.state.VersionVector;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.HexFormat;

/**
 * A member with the cluster secret that says what a test tells it to: it joins with the project's
 * stack, says hello for a tree with the endpoint and key of a transfer listener of its own (the
 * module name and password a node pulls with), and sends batches the test builds, true or not. The
 * listener serves {@link #served()} to anyone, whatever the batches announced, at a limited rate,
 * so that a test can act while a node pulls from it. Batches go to one node (unicast), in order, so a later batch's
 * effect shows that the earlier ones were handled.
 */
final class HostilePeer implements AutoCloseable {
    static final String NAME = "mallory";
    /** The rate the daemon serves at (KiB/s): 200 MiB take about 4 s. */
    static final int SERVE_KIB_PER_SECOND = 50 * 1024;

    private final byte[] treeId;
    private final String tree;
    private final String endpoint;
    private final Path served;
    private final Path dir;
    private final Set<String> greeted = ConcurrentHashMap.newKeySet();
    private final AtomicLong sequence = new AtomicLong();
    /** Each change gets a counter above every earlier one: a peer's version of anything is newer. */
    private final AtomicLong version = new AtomicLong();
    private final String name;
    /** Whether it says hello (a member that never does tests what its batches hold up). */
    private volatile boolean greets;
    private final NodeIdentity identity;
    private TransferServer server;
    private String password;
    private volatile ClusterMember member;

    private HostilePeer(String name, boolean greets, Path dir, byte[] treeId, String endpoint) {
        this.name = name;
        this.greets = greets;
        this.identity = NodeIdentity.create(name);
        this.dir = dir;
        this.treeId = treeId.clone();
        this.tree = HexFormat.of().formatHex(treeId);
        this.endpoint = endpoint;
        this.served = dir.resolve("served");
    }

    /**
     * Starts the listener on {@code bind}'s address and {@code transferPort}, then joins
     * {@code clusterName} at {@code bind} with {@code peers} as discovery seeds.
     */
    static HostilePeer start(Path dir, String clusterName, Path secretFile, InetSocketAddress bind, int transferPort,
                             List<InetSocketAddress> peers) throws Exception {
        return start(NAME, true, dir, clusterName, secretFile, bind, transferPort, peers);
    }

    /** As {@link #start(Path, String, Path, InetSocketAddress, int, List)}, named {@code name}; silent until {@link #greet()} if not {@code greets}. */
    static HostilePeer start(String name, boolean greets, Path dir, String clusterName, Path secretFile,
                             InetSocketAddress bind, int transferPort, List<InetSocketAddress> peers) throws Exception {
        String host = bind.getAddress().getHostAddress();
        HostilePeer peer = new HostilePeer(name, greets, dir, TreeId.of(clusterName), host + ":" + transferPort);
        Files.createDirectories(peer.served);
        ClusterSecret secret = ClusterSecret.read(secretFile);
        try {
            peer.password = secret.transferPassword(clusterName);
            peer.server = TransferServer.start(peer.dir, new InetSocketAddress(bind.getAddress(), transferPort),
                    List.of(peer.password), peer.identity, key -> "anyone",
                    List.of("--bwlimit=" + SERVE_KIB_PER_SECOND));
            peer.server.addModule(TransferServer.module(peer.tree), peer.served);
            peer.member = ClusterMember.joinTcp(clusterName, name, bind, peers, secret, peer.new Greeter());
            if (greets) peer.member.broadcast(peer.hello());
        } catch (Exception e) {
            peer.close();
            throw e;
        }
        return peer;
    }

    /** The dir the listener serves as the tree's module: what pulls from this peer get. */
    Path served() {
        return served;
    }

    /** Says hello to everyone again (a node that missed it, e.g. while it registered its tree). */
    void greet() throws Exception {
        greets = true;
        member.broadcast(hello());
    }

    private WireMessage.Hello hello() {
        return new WireMessage.Hello(name, treeId, endpoint, 1, identity.fingerprint().bytes());
    }

    /** Answers each node's first hello, as nodes do, so that it takes this member as a peer of the tree. */
    /** The members of the current view. */
    private volatile List<String> view = List.of();

    /** Whether {@code node} is in this peer's current view. */
    boolean sees(String node) {
        return view.contains(node);
    }

    private final class Greeter implements ClusterMember.Listener {
        @Override
        public void received(String from, WireMessage message) {
            ClusterMember m = member;
            if (m == null || !greets || !(message instanceof WireMessage.Hello h) || !h.tree().equals(tree)) return;
            if (!greeted.add(h.node())) return;
            try {
                m.send(h.node(), hello());
            } catch (Exception e) {
                greeted.remove(h.node());
            }
        }

        @Override
        public void viewChanged(List<String> members) {
            view = List.copyOf(members);
            ClusterMember m = member;
            if (m == null || !greets) return;
            try {
                m.broadcast(hello());
            } catch (Exception ignored) {
                // the next view, or greet(), says it again
            }
        }
    }

    /** The transfer key its hello carries. */
    NodeIdentity identity() {
        return identity;
    }

    /**
     * Pulls the whole tree from a node's transfer listener at {@code endpoint} into {@code into},
     * presenting {@code as}, with the module and password of the cluster: what the node's own pulls do.
     *
     * @return rsync's exit code, or -1 when the TLS connection failed before rsync could start
     */
    int pull(NodeIdentity as, InetSocketAddress endpoint, Fingerprint nodeKey, Path into) throws Exception {
        try (TransferTunnel tunnel = TransferTunnel.open(as, endpoint, nodeKey, "the node")) {
            return ProcessRunner.run(List.of("rsync", "-r", "--contimeout=10", "--timeout=20",
                            TransferServer.url(tunnel.port(), TransferServer.module(tree), password), into + "/"),
                    Map.of("RSYNC_PASSWORD", password), Duration.ofSeconds(60)).exitCode();
        } catch (IOException refused) {
            return -1;
        }
    }

    /** Writes {@code content} at {@code rel} in the served dir; its true state. */
    FileState serve(String rel, byte[] content) throws IOException {
        Path file = served.resolve(rel);
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        return FileStates.of(file);
    }

    /** The state of a symlink to {@code target}, as an announcement carries it. */
    static FileState symlinkTo(Path target) {
        return new FileState(FileType.SYMLINK, 0, System.currentTimeMillis() * 1_000_000L, 0777,
                PathBytes.of(target), new byte[0]);
    }

    /** The state of a directory with {@code mode}. */
    static FileState directory(int mode) {
        return new FileState(FileType.DIRECTORY, 0, System.currentTimeMillis() * 1_000_000L, mode, new byte[0],
                new byte[0]);
    }

    WireMessage.Change create(String path, FileState state) {
        return change(path, WireMessage.Kind.CREATE, null, state);
    }

    WireMessage.Change modify(String path, FileState state) {
        return change(path, WireMessage.Kind.MODIFY, null, state);
    }

    WireMessage.Change rename(String from, String to, FileState state) {
        return change(to, WireMessage.Kind.RENAME, from, state);
    }

    WireMessage.Change delete(String path) {
        return change(path, WireMessage.Kind.DELETE, null, null);
    }

    private WireMessage.Change change(String path, WireMessage.Kind kind, String from, FileState state) {
        return new WireMessage.Change(rel(path), kind, from == null ? null : rel(from), state,
                VersionVector.of(name, version.incrementAndGet()));
    }

    private static RelPath rel(String path) {
        return RelPath.of(path.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends one batch of {@code changes} to {@code node} alone. */
    void send(String node, WireMessage.Change... changes) throws Exception {
        WireMessage.Batch batch = new WireMessage.Batch(tree, name, sequence.incrementAndGet(), List.of(changes));
        // A view change (a merge after a missed heartbeat) can leave the node out for a moment.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!member.send(node, batch)) {
            if (System.nanoTime() > deadline) throw new AssertionError(node + " is not in " + name + "'s view");
            Thread.sleep(50);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (member != null) member.close();
        if (server != null) server.close();
    }
}
