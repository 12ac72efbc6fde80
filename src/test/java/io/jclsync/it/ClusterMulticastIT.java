package io.jclsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import java.util.Map;

/**
 * The UDP multicast stack: three nodes that find each other by multicast alone (no peer list),
 * inside a network namespace of their own whose loopback carries multicast, so nothing leaves
 * this machine or touches its own interfaces. Needs root (CI runs as root; elsewhere it is skipped).
 */
class ClusterMulticastIT extends ClusterTestBase {
    private static final String NAMESPACE = "jclsync-mc-" + ThreadLocalRandom.current().nextInt(1_000_000);

    @BeforeAll
    static void createNamespace() throws Exception {
        Root.assume("network namespaces");
        ip("netns", "add", NAMESPACE);
        ip("-n", NAMESPACE, "link", "set", "lo", "up", "multicast", "on");
        ip("-n", NAMESPACE, "route", "add", "224.0.0.0/4", "dev", "lo");
    }

    @AfterAll
    static void deleteNamespace() throws Exception {
        Namespaces.delete(List.of(NAMESPACE));
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        Namespaces.ip(args);
    }

    @Override
    List<String> discovery() {
        return List.of("--cluster-multicast", "239.255.77." + (1 + port % 250) + ":" + (port + 2));
    }

    @Override
    List<String> launcher(int i) {
        return List.of("ip", "netns", "exec", NAMESPACE);
    }

    @Test
    void nodesFindEachOtherByMulticastAndSync() throws Exception {
        startCluster();
        for (int i = 0; i < 3; i++) nodes.get(i).awaitLog("cluster it: [", CONVERGE);
        Files.createDirectories(trees.get(0).resolve("from-n1"));
        for (int f = 0; f < 100; f++) Files.writeString(trees.get(0).resolve("from-n1/f" + f), "n1 " + f);
        Files.writeString(trees.get(2).resolve("from-n3.txt"), "written on n3\n");
        awaitConverged("writes on n1 and n3 over multicast");
        assertEquals("written on n3\n", Files.readString(trees.get(1).resolve("from-n3.txt")));
        // The status JSON is rewritten every 2 s: wait for the one written after convergence.
        Path statusJson = states.get(0).resolve("status.json");
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (!Files.readString(statusJson).contains("\"peers\": [\"n2\", \"n3\"]")) {
            if (System.nanoTime() > deadline) throw new AssertionError(Files.readString(statusJson));
            Thread.sleep(100);
        }
        JclsyncProcess.Result status = JclsyncProcess.run(tmp.resolve("status.out"), CONVERGE, "status", "--state-dir",
                states.get(0).toString(), "--json");
        assertEquals(0, status.exitCode(), status.output());
        org.junit.jupiter.api.Assertions.assertTrue(status.output().contains("\"peers\": [\"n2\", \"n3\"]"), status.output());
        // jclsync members finds the three nodes by multicast alone as well.
        try (JclsyncProcess members = JclsyncProcess.start(tmp.resolve("members.log"), launcher(0), Map.of(),
                "members", "--cluster-name", "it", "--node-name", "probe", "--cluster-secret-file", secret.toString(),
                "--cluster-bind", "127.0.0.9:" + port, discovery().get(0), discovery().get(1), "--expect", "4")) {
            assertEquals(0, members.waitFor(CONVERGE), members.log());
            for (String n : List.of("n1", "n2", "n3")) {
                org.junit.jupiter.api.Assertions.assertTrue(members.log().contains("  " + n + "  ok"), members.log());
            }
        }
        for (int i = 0; i < 3; i++) {
            org.junit.jupiter.api.Assertions.assertFalse(nodes.get(i).log().contains("cannot report status"), nodes.get(i).log());
            assertEquals(0, counters(i).get("rejected_messages"), "n" + (i + 1));
            assertEquals(i == 1 ? 0 : 1, counters(i).get("batches_announced") > 0 ? 1 : 0,
                    "only the writers announce (n" + (i + 1) + "): " + allCounters());
        }
    }
}
