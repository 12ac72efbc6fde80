package io.jclsync.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.cluster.tls.NodeIdentity;
import io.jclsync.cluster.tls.TransferTunnel;
import io.jclsync.process.ProcessRunner;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real transfer server with real rsync on both ends, through a real tunnel. */
class TransferServerTest {
    @TempDir
    Path tmp;

    @Test
    void eachSecretsPasswordIsAcceptedAndNoOther() throws Exception {
        Path state = Files.createDirectory(tmp.resolve("state"));
        Path tree = Files.createDirectory(tmp.resolve("tree"));
        Files.writeString(tree.resolve("a.txt"), "served\n");
        Files.createDirectories(tree.resolve(".jclsync/incoming"));
        Files.writeString(tree.resolve(".jclsync/incoming/staged"), "never served\n");
        NodeIdentity server = NodeIdentity.create("n1");
        NodeIdentity client = NodeIdentity.create("n2");
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        // While a cluster changes its secret, a node accepts the passwords of both.
        List<String> passwords = List.of("in-use-" + "a".repeat(40), "other-" + "b".repeat(40));
        try (TransferServer s = TransferServer.start(state, address, passwords, server,
                key -> key.equals(client.fingerprint()) ? "n2" : null, List.of())) {
            s.addModule("t1", tree);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("rsyncd.secrets"))));
            for (String password : passwords) {
                Path into = Files.createDirectory(tmp.resolve("with-" + password.substring(0, 5)));
                assertEquals(0, pull(client, address, server, password, into), password);
                assertEquals("served\n", Files.readString(into.resolve("a.txt")));
                assertTrue(!Files.exists(into.resolve(".jclsync")), ".jclsync/ is never served");
            }
            Path wrong = Files.createDirectory(tmp.resolve("wrong"));
            assertNotEquals(0, pull(client, address, server, "a-third-password-" + "c".repeat(30), wrong));
            try (var left = Files.list(wrong)) {
                assertEquals(0, left.count());
            }
        }
    }

    private static int pull(NodeIdentity as, InetSocketAddress address, NodeIdentity server, String password, Path into)
            throws Exception {
        try (TransferTunnel t = TransferTunnel.open(as, address, server.fingerprint(), "n1")) {
            ProcessRunner.Result r = ProcessRunner.run(List.of("rsync", "-r", "--contimeout=10", "--timeout=20",
                    TransferServer.url(t.port(), "t1", password), into + "/"), Map.of("RSYNC_PASSWORD", password),
                    Duration.ofSeconds(60));
            return r.exitCode();
        }
    }
}
