package io.jclsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** Three cluster nodes (processes on 127.0.0.2-4) recovering from failures of their parts. */
class ClusterRecoveryIT extends ClusterTestBase {

    @Test
    void aFileWhoseOriginCannotServeItIsPulledFromAnotherNode() throws Exception {
        startCluster();
        awaitQuiet(Duration.ofMillis(700));
        long pulledBefore = counters(2).get("files_pulled");
        byte[] data = new byte[1 << 20];
        ThreadLocalRandom.current().nextBytes(data);
        // n3 is frozen while n1 announces the file and n2 pulls it; then n1's rsync daemon dies.
        nodes.get(2).signal("STOP");
        try {
            Files.createDirectories(trees.get(0).resolve("fallback"));
            Files.write(trees.get(0).resolve("fallback/data.bin"), data);
            Trees.awaitEqual(trees.get(0), trees.get(1), CONVERGE, nodes.get(1));
            // n1's status shows how far behind each peer is: n2 has everything, frozen n3 does not.
            awaitBehind(0, "n3", b -> b >= 1, "behind");
            awaitBehind(0, "n2", b -> b == 0, "up to date");
            long daemon = Long.parseLong(Files.readString(states.get(0).resolve("rsyncd.pid")).strip());
            JclsyncProcess.signal("KILL", daemon);
        } finally {
            nodes.get(2).signal("CONT");
        }
        awaitConverged("n3, whose pull from n1 failed", List.of(0, 1, 2));
        awaitBehind(0, "n3", b -> b == 0, "up to date again");
        nodes.get(2).awaitLog("file(s) of n1's batch from 127.0.0.3:" + (port + 1) + " instead", CONVERGE);
        nodes.get(2).awaitLog("pulled 1 file(s) from 127.0.0.3", CONVERGE);
        assertEquals(1, counters(2).get("files_pulled") - pulledBefore, "pulled once, from n2");
        // n1 restarts its daemon and serves again.
        nodes.get(0).awaitLog("restarting it in", CONVERGE);
        Files.writeString(trees.get(0).resolve("fallback/after.txt"), "served by n1's new daemon\n");
        awaitConverged("a file written after n1's daemon came back");
        assertEquals(Files.readString(trees.get(0).resolve("fallback/after.txt")),
                Files.readString(trees.get(2).resolve("fallback/after.txt")));
        assertEquals(data.length, Files.size(trees.get(2).resolve("fallback/data.bin")));
    }

    @Test
    void aNodeKilledMidTransferLeavesNoPartialFileAndCatchesUpAfterARestart() throws Exception {
        startCluster();
        awaitQuiet(Duration.ofMillis(700));
        // 300 MiB of random data, so that n2's pull is still running when it is killed.
        Path big = trees.get(0).resolve("big.bin");
        byte[] chunk = new byte[1 << 20];
        try (var out = Files.newOutputStream(tmp.resolve("big.tmp"))) {
            for (int i = 0; i < 300; i++) {
                ThreadLocalRandom.current().nextBytes(chunk);
                out.write(chunk);
            }
        }
        Files.move(tmp.resolve("big.tmp"), big);
        long n2 = nodes.get(1).pid();
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (!pulling(n2)) {
            if (System.nanoTime() > deadline) throw new AssertionError("n2 never started pulling; log:\n" + nodes.get(1).log());
            Thread.sleep(5);
        }
        nodes.get(1).signal("KILL");
        nodes.get(1).waitFor(CONVERGE);
        Path there = trees.get(1).resolve("big.bin");
        if (Files.exists(there)) {
            assertEquals(Files.size(big), Files.size(there), "a file at its final path is whole");
            assertEquals(-1, Files.mismatch(big, there), "and identical");
        }
        Files.writeString(trees.get(0).resolve("while-n2-was-dead.txt"), "written after n2 was killed\n");

        startNode(1);
        awaitConverged("n2 restarted after kill -9");
        assertEquals(-1, Files.mismatch(big, there), "n2 has the whole file after its restart");
        try (var staged = Files.list(trees.get(1).resolve(".jclsync/incoming"))) {
            assertEquals(0, staged.count(), "nothing left in the staging dir");
        }
    }

    /** Whether node process {@code pid} has an rsync client (not its daemon) running. */
    private static boolean pulling(long pid) {
        return ProcessHandle.of(pid).map(p -> p.children().anyMatch(c -> c.info().commandLine()
                .map(cmd -> cmd.contains("rsync") && !cmd.contains("--daemon")).orElse(false))).orElse(false);
    }
}
