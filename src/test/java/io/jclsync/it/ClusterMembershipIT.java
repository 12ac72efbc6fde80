package io.jclsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three jclsync processes on their own loopback addresses: two share the secret, one does not. */
class ClusterMembershipIT {
    private static final Duration EXIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private Path secret(String name, String text) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, text + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    @Test
    void membersWithTheSecretFormOneClusterAndAProcessWithoutItCannotJoin() throws Exception {
        Path good = secret("good", "correct horse battery staple 42");
        Path bad = secret("bad", "a different secret of some length");
        int port = ThreadLocalRandom.current().nextInt(20000, 40000);
        String a = "127.0.0.2:" + port, b = "127.0.0.3:" + port, c = "127.0.0.4:" + port;
        // The intruder first, and n1 and n2 only once it listens: both sides then try each other
        // for the whole of n1's window (its discovery and MERGE3's, every 2-8 s), however slowly
        // the three JVMs start on a loaded machine.
        JclsyncProcess intruder = JclsyncProcess.start(tmp.resolve("n3.log"), "members", "--cluster-name", "web",
                "--node-name", "intruder", "--cluster-secret-file", bad.toString(), "--cluster-bind", c,
                "--cluster-peers", a + "," + b, "--listen", "20");
        awaitListening("127.0.0.4", port, intruder);
        JclsyncProcess n1 = JclsyncProcess.start(tmp.resolve("n1.log"), "members", "--cluster-name", "web",
                "--node-name", "n1", "--cluster-secret-file", good.toString(), "--cluster-bind", a,
                "--cluster-peers", b + "," + c, "--expect", "2", "--listen", "12");
        JclsyncProcess n2 = JclsyncProcess.start(tmp.resolve("n2.log"), "members", "--cluster-name", "web",
                "--node-name", "n2", "--cluster-secret-file", good.toString(), "--cluster-bind", b,
                "--cluster-peers", a + "," + c, "--expect", "2", "--listen", "12");
        try (n1; n2; intruder) {
            assertEquals(0, n1.waitFor(EXIT), n1.log());
            assertEquals(0, n2.waitFor(EXIT), n2.log());
            assertEquals(1, intruder.waitFor(EXIT), intruder.log());
            assertTrue(n1.log().contains("  n2  ok"), n1.log());
            assertTrue(n2.log().contains("  n1  ok"), n2.log());
            assertFalse(n1.log().contains("  intruder"), n1.log());
            assertFalse(intruder.log().contains("  n1"), intruder.log());
            assertFalse(intruder.log().contains("  n2"), intruder.log());
            // Not silence: each side reports the other's attempts as refused frames.
            assertTrue(n1.log().contains("  refused: "), n1.log());
            assertTrue(intruder.log().contains("  refused: "), intruder.log());
        }
    }

    @Test
    void membersListsEachNodesTransferKey() throws Exception {
        Path good = secret("good", "correct horse battery staple 42");
        int port = ThreadLocalRandom.current().nextInt(20000, 40000);
        String a = "127.0.0.2:" + port, b = "127.0.0.3:" + port;
        Path tree = Files.createDirectory(tmp.resolve("tree"));
        try (JclsyncProcess node = JclsyncProcess.start(tmp.resolve("node.log"), "-M", "cluster", "-W", tree.toString(),
                "--cluster-name", "web", "--node-name", "n1", "--cluster-secret-file", good.toString(),
                "--cluster-bind", a, "--cluster-peers", b, "--transfer-port", Integer.toString(port + 1),
                "--state-dir", tmp.resolve("state").toString(), "-v")) {
            node.awaitLog("this node's transfer key is sha256:", EXIT);
            Matcher key = Pattern.compile("this node's transfer key is (sha256:[0-9a-f]{64})").matcher(node.log());
            assertTrue(key.find(), node.log());
            JclsyncProcess.Result r = JclsyncProcess.run(tmp.resolve("members.log"), EXIT, "members", "--cluster-name",
                    "web", "--node-name", "m", "--cluster-secret-file", good.toString(), "--cluster-bind", b,
                    "--cluster-peers", a, "--expect", "2", "--listen", "8");
            assertEquals(0, r.exitCode(), r.output());
            assertTrue(r.output().contains("  n1  ok, transfer key " + key.group(1)), r.output());
        }
    }

    /** Waits until something listens on {@code host:port} (seen with ss, without connecting to it). */
    private static void awaitListening(String host, int port, JclsyncProcess process) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            Process ss = new ProcessBuilder("ss", "-Hltn", "src " + host + ":" + port).redirectErrorStream(true).start();
            String out = new String(ss.getInputStream().readAllBytes());
            ss.waitFor();
            if (!out.isBlank()) return;
            if (System.nanoTime() > deadline) throw new AssertionError("nothing listens on " + host + ":" + port + "\n" + process.log());
            Thread.sleep(100);
        }
    }

    @Test
    void aSecretOthersCanReadIsRefused() throws Exception {
        Path open = tmp.resolve("open");
        Files.writeString(open, "correct horse battery staple 42\n");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        JclsyncProcess.Result r = JclsyncProcess.run(tmp.resolve("log"), EXIT, "members", "--cluster-name", "web",
                "--node-name", "n1", "--cluster-secret-file", open.toString(), "--cluster-bind", "127.0.0.2:7800");
        assertEquals(2, r.exitCode(), r.output());
        assertTrue(r.output().contains("chmod 600"), r.output());
        JclsyncProcess.Result none = JclsyncProcess.run(tmp.resolve("log2"), EXIT, "members", "--cluster-name", "web",
                "--node-name", "n1", "--cluster-bind", "127.0.0.2:7800");
        assertEquals(2, none.exitCode(), none.output());
        assertTrue(none.output().contains("needs --cluster-secret-file"), none.output());
    }
}
