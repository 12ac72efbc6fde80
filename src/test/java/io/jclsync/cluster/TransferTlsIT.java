package io.jclsync.cluster;


import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.cluster.tls.Fingerprint;
import io.jclsync.cluster.tls.NodeIdentity;
import io.jclsync.cluster.tls.PinStore;
import io.jclsync.it.JclsyncProcess;
import io.jclsync.process.ProcessRunner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.util.Arrays;

/**
 * Issue 14, point 3, "no file byte in clear": two real nodes ("victim" and "honest", processes)
 * and a member with the secret in this JVM ({@link HostilePeer}, "mallory"). The victim tells its
 * peers to pull through a relay of this test ({@code jclsync.transfer.advertise}), which records
 * every byte that crosses. Pulls must hold no plaintext, and the victim's transfer listener must
 * serve a client only with the key a current member said hello with.
 */
class TransferTlsIT {
    private static final String CLUSTER = "tls";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;
    private Path secret;
    private Path victimTree;
    private Path honestTree;
    private Path victimState;
    private Path honestState;
    private List<InetSocketAddress> all;
    private String peers;
    private JclsyncProcess victim;
    private JclsyncProcess honest;
    private HostilePeer mallory;
    private Relay relay;

    @BeforeEach
    void start() throws Exception {
        secret = tmp.resolve("secret");
        Files.writeString(secret, "the cluster secret of the TLS test\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        victimTree = Files.createDirectory(tmp.resolve("victim"));
        honestTree = Files.createDirectory(tmp.resolve("honest"));
        victimState = tmp.resolve("victim-state");
        honestState = tmp.resolve("honest-state");
        int port = ThreadLocalRandom.current().nextInt(20000, 40000);
        all = List.of(new InetSocketAddress("127.14.0.1", port), new InetSocketAddress("127.14.0.2", port),
                new InetSocketAddress("127.14.0.3", port));
        peers = String.join(",", all.stream().map(a -> a.getHostString() + ":" + port).toList());
        relay = new Relay(new InetSocketAddress("127.14.0.9", port + 1), transferOf(all.get(0)));
        victim = node("victim", victimTree, victimState, all.get(0),
                Map.of("JAVA_TOOL_OPTIONS", "-Djclsync.transfer.advertise=127.14.0.9:" + (port + 1)));
        honest = node("honest", honestTree, honestState, all.get(1), Map.of());
        mallory = HostilePeer.start(Files.createDirectory(tmp.resolve(HostilePeer.NAME)), CLUSTER, secret, all.get(2),
                port + 1, all.subList(0, 2));
        victim.awaitLog("peer honest (pulls from", WAIT);
        honest.awaitLog("peer victim (pulls from 127.14.0.9:", WAIT);
    }

    private static InetSocketAddress transferOf(InetSocketAddress bind) {
        return new InetSocketAddress(bind.getAddress(), bind.getPort() + 1);
    }

    private JclsyncProcess node(String name, Path tree, Path state, InetSocketAddress bind, Map<String, String> env)
            throws IOException {
        return JclsyncProcess.start(tmp.resolve(name + ".log"), List.of(), env, "-M", "cluster", "-W", tree.toString(),
                "--cluster-name", CLUSTER, "--node-name", name, "--cluster-secret-file", secret.toString(),
                "--cluster-bind", bind.getHostString() + ":" + bind.getPort(),
                "--transfer-port", Integer.toString(bind.getPort() + 1), "--cluster-peers", peers,
                "--state-dir", state.toString(), "-t", "0.3", "-v");
    }

    @AfterEach
    void stop() throws Exception {
        if (mallory != null) mallory.close();
        if (victim != null) victim.close();
        if (honest != null) honest.close();
        if (relay != null) relay.close();
    }

    @Test
    void aCaptureOfAPullHoldsNoPlaintext() throws Exception {
        String marker = "jclsync-marker-" + HexFormat.of().formatHex(randomBytes(16));
        byte[] content = (marker + "\n").repeat(2000).getBytes(StandardCharsets.US_ASCII);
        Files.write(victimTree.resolve("marked.txt"), content);
        awaitFile(honestTree.resolve("marked.txt"), content);
        assertArrayEquals(content, Files.readAllBytes(honestTree.resolve("marked.txt")), "the marker arrived");

        byte[] captured = relay.captured();
        assertTrue(captured.length > content.length, "the pull crossed the relay: " + captured.length + " bytes captured");
        assertEquals(-1, indexOf(captured, marker.getBytes(StandardCharsets.US_ASCII)), "the marker crossed in clear");
        assertEquals(-1, indexOf(captured, "@RSYNCD".getBytes(StandardCharsets.US_ASCII)), "rsync's greeting crossed in clear");
        assertEquals(-1, indexOf(captured, "marked.txt".getBytes(StandardCharsets.US_ASCII)), "the file's name crossed in clear");
    }

    @Test
    void onlyTheKeyAMemberSaidHelloWithIsServed() throws Exception {
        byte[] content = "for members only\n".getBytes(StandardCharsets.US_ASCII);
        Files.write(victimTree.resolve("members-only.txt"), content);
        awaitFile(honestTree.resolve("members-only.txt"), content);
        InetSocketAddress direct = transferOf(all.get(0));
        Fingerprint victimKey = NodeIdentity.loadOrCreate(victimState.resolve(NodeIdentity.FILE), "victim").fingerprint();
        victim.awaitLog("pinned " + HostilePeer.NAME + "'s transfer key " + mallory.identity().fingerprint(), WAIT);

        // Mallory is a member: with the key it said hello with, it is served (so what follows can fail).
        Path asMember = Files.createDirectory(tmp.resolve("as-member"));
        assertEquals(0, mallory.pull(mallory.identity(), direct, victimKey, asMember));
        assertArrayEquals(content, Files.readAllBytes(asMember.resolve("members-only.txt")));

        // With any other key, the listener refuses it before rsync runs.
        NodeIdentity stranger = NodeIdentity.create(HostilePeer.NAME);
        Path asStranger = Files.createDirectory(tmp.resolve("as-stranger"));
        assertNotEquals(0, mallory.pull(stranger, direct, victimKey, asStranger));
        assertEmpty(asStranger);
        victim.awaitLog("refused a pull from", WAIT);
        assertTrue(victim.log().contains("transfer key " + stranger.fingerprint() + " is not the key of a current member"),
                victim.log());
        assertFalse(victim.log().contains("serving " + HostilePeer.NAME), "no rsync was started for mallory's refused pull");

        // A client does not talk to a listener whose key is not the one pinned for it.
        Path wrongServer = Files.createDirectory(tmp.resolve("wrong-server"));
        assertEquals(-1, mallory.pull(mallory.identity(), direct, stranger.fingerprint(), wrongServer));
        assertEmpty(wrongServer);

        // Plain rsync:// with the right password: the listener speaks TLS only.
        Path plain = Files.createDirectory(tmp.resolve("plain"));
        String tree = HexFormat.of().formatHex(TreeId.of(CLUSTER));
        String password = ClusterSecret.read(secret).transferPassword(CLUSTER);
        ProcessRunner.Result r = ProcessRunner.run(List.of("rsync", "-r", "--contimeout=5", "--timeout=10",
                        "rsync://" + TransferServer.user(password) + "@" + direct.getHostString() + ":" + direct.getPort()
                                + "/" + TransferServer.module(tree) + "/", plain + "/"),
                Map.of("RSYNC_PASSWORD", password), Duration.ofSeconds(30));
        assertNotEquals(0, r.exitCode(), r.output());
        assertEmpty(plain);
    }

    @Test
    void aNodeBackWithAnotherKeyIsRefusedUntilItsPinIsDeleted() throws Exception {
        Fingerprint first = NodeIdentity.loadOrCreate(honestState.resolve(NodeIdentity.FILE), "honest").fingerprint();
        honest.terminate(WAIT);
        Files.delete(honestState.resolve(NodeIdentity.FILE));
        honest = node("honest", honestTree, honestState, all.get(1), Map.of());
        honest.awaitLog("this node's transfer key is", WAIT);
        Fingerprint second = NodeIdentity.loadOrCreate(honestState.resolve(NodeIdentity.FILE), "honest").fingerprint();
        assertNotEquals(first, second);
        victim.awaitLog("REFUSED node honest: its transfer key is now " + second, WAIT);

        // The victim's listener does not know honest's new key: a pull with it (made here, with honest's
        // own key file, since honest itself may not even have the victim's hello) gets nothing.
        byte[] content = "written while honest was refused\n".getBytes(StandardCharsets.US_ASCII);
        Files.write(victimTree.resolve("while-refused.txt"), content);
        NodeIdentity honestNow = NodeIdentity.loadOrCreate(honestState.resolve(NodeIdentity.FILE), "honest");
        Fingerprint victimKey = NodeIdentity.loadOrCreate(victimState.resolve(NodeIdentity.FILE), "victim").fingerprint();
        Path asHonest = Files.createDirectory(tmp.resolve("as-honest"));
        assertNotEquals(0, mallory.pull(honestNow, transferOf(all.get(0)), victimKey, asHonest));
        assertEmpty(asHonest);
        victim.awaitLog("transfer key " + second + " is not the key of a current member", WAIT);
        assertFalse(Files.exists(honestTree.resolve("while-refused.txt")));

        // The operator deletes the pin on the victim and restarts honest: its new key is pinned and it catches up.
        Path pins = victimState.resolve(PinStore.FILE);
        Files.write(pins, Files.readAllLines(pins).stream().filter(l -> !l.startsWith("honest ")).toList());
        honest.terminate(WAIT);
        honest = node("honest", honestTree, honestState, all.get(1), Map.of());
        victim.awaitLog("pinned honest's transfer key " + second, WAIT);
        awaitFile(honestTree.resolve("while-refused.txt"), content);
    }

    private void awaitFile(Path file, byte[] content) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!(Files.exists(file) && Arrays.equals(Files.readAllBytes(file), content))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(file + " did not arrive;\nvictim:\n" + victim.log() + "\nhonest:\n" + honest.log());
            }
            Thread.sleep(50);
        }
    }

    private static void assertEmpty(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            assertEquals(List.of(), s.toList(), "nothing was served into " + dir);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }

    /** Forwards connections to a node's transfer listener and records every byte either way. */
    private static final class Relay implements AutoCloseable {
        private final ServerSocket server = new ServerSocket();
        private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

        Relay(InetSocketAddress listen, InetSocketAddress node) throws IOException {
            server.setReuseAddress(true);
            server.bind(listen);
            daemon(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket in = server.accept();
                        Socket out = new Socket();
                        out.connect(node, 2000);
                        daemon(() -> copy(in, out));
                        daemon(() -> copy(out, in));
                    } catch (IOException e) {
                        // closed, or the node is not up yet: the client fails and tries again
                    }
                }
            });
        }

        private static void daemon(Runnable r) {
            Thread t = new Thread(r, "relay");
            t.setDaemon(true);
            t.start();
        }

        /** Copies one way; an end is passed on as a half-close (TLS and rsync end one side first). */
        private void copy(Socket from, Socket to) {
            byte[] buffer = new byte[65536];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    synchronized (captured) {
                        captured.write(buffer, 0, n);
                    }
                    out.write(buffer, 0, n);
                }
                to.shutdownOutput();
            } catch (IOException e) {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }

        byte[] captured() {
            synchronized (captured) {
                return captured.toByteArray();
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
