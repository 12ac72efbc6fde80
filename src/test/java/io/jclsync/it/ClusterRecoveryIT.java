package io.jclsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** Three cluster nodes (processes on 127.0.0.2-4) recovering from failures of their parts. */
class ClusterRecoveryIT extends ClusterTestBase {

    @Test
    void aFileWhoseOriginCannotServeItIsPulledFromAnotherNode() throws Exception {
        startCluster();
        awaitQuiet(Duration.ofMillis(700));
        long pulledBefore = counters(2).get("files_pulled");
        // Big enough that a serving rsync is seen and killed long before it could have sent it all.
        // Written beside the tree and moved in: it appears whole, at once, while n3 is frozen.
        byte[] data = new byte[32 << 20];
        ThreadLocalRandom.current().nextBytes(data);
        Path staged = Files.write(tmp.resolve("data.bin"), data);
        // So that "behind" below can only be the file's batch, not one of the start n3 has not reported yet.
        awaitBehind(0, "n3", b -> b == 0, "up to date before the freeze");
        // n3 is frozen while n1 announces the file and n2 pulls it; then every rsync n1 starts to serve
        // a pull is killed as soon as it appears: n1 cannot serve. Only what needs n3 frozen happens
        // in the freeze: after 9 s without n3's heartbeats (FD_ALL3 in tcp.xml), within reach of a loaded
        // machine, n3 leaves the view and gets the file by catch-up, not by the fallback tested here.
        ServerKiller killer;
        nodes.get(2).signal("STOP");
        try {
            Files.createDirectories(trees.get(0).resolve("fallback"));
            Files.move(staged, trees.get(0).resolve("fallback/data.bin"), StandardCopyOption.ATOMIC_MOVE);
            // n1's status shows how far behind each peer is: frozen n3 lacks n1's batch (status.json
            // is written every 2 s, while n2 pulls).
            awaitBehind(0, "n3", b -> b >= 1, "behind");
            Trees.awaitEqual(trees.get(0), trees.get(1), CONVERGE, nodes.get(1));
            killer = new ServerKiller(nodes.get(0).pid());
        } finally {
            nodes.get(2).signal("CONT");
        }
        try {
            // And n2 has everything: its progress report and n1's next status take up to 2 s each,
            // waited for once n3 runs again (n1 announces nothing more meanwhile).
            awaitBehind(0, "n2", b -> b == 0, "up to date");
            awaitConverged("n3, whose pull from n1 failed", List.of(0, 1, 2));
            awaitBehind(0, "n3", b -> b == 0, "up to date again");
            nodes.get(2).awaitLog("file(s) of n1's batch from 127.0.0.3:" + (port + 1) + " instead", CONVERGE);
            nodes.get(2).awaitLog("pulled 1 file(s) from 127.0.0.3", CONVERGE);
        } finally {
            killer.close();
        }
        assertEquals(1, counters(2).get("files_pulled") - pulledBefore, "pulled once, from n2");
        assertTrue(killer.killed() >= 1, "n1 started an rsync to serve n3, and it was killed");
        nodes.get(0).awaitLog("rsync serving n3 (pid", CONVERGE);
        // n1 serves again: each pull has an rsync of its own.
        Files.writeString(trees.get(0).resolve("fallback/after.txt"), "served by n1 again\n");
        awaitConverged("a file written after n1's serving rsync was killed");
        assertEquals(Files.readString(trees.get(0).resolve("fallback/after.txt")),
                Files.readString(trees.get(2).resolve("fallback/after.txt")));
        assertEquals(-1, Files.mismatch(trees.get(0).resolve("fallback/data.bin"), trees.get(2).resolve("fallback/data.bin")));
    }

    /** Kills each rsync that node process {@code pid} starts to serve a pull, until closed. */
    private static final class ServerKiller implements AutoCloseable {
        private final AtomicInteger killed = new AtomicInteger();
        private volatile boolean closed;
        private final Thread thread;

        ServerKiller(long pid) {
            thread = new Thread(() -> {
                while (!closed) {
                    ProcessHandle.of(pid).ifPresent(node -> node.children()
                            .filter(c -> c.info().commandLine().map(cmd -> cmd.contains("--server --daemon")).orElse(false))
                            .forEach(c -> {
                                if (c.destroyForcibly()) killed.incrementAndGet();
                            }));
                    LockSupport.parkNanos(1_000_000); // a pull's TLS handshake alone takes longer
                }
            }, "server-killer");
            thread.setDaemon(true);
            thread.start();
        }

        int killed() {
            return killed.get();
        }

        @Override
        public void close() throws InterruptedException {
            closed = true;
            thread.join();
        }
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

    /** Whether node process {@code pid} has an rsync client (not one serving a peer) running. */
    private static boolean pulling(long pid) {
        return ProcessHandle.of(pid).map(p -> p.children().anyMatch(c -> c.info().commandLine()
                .map(cmd -> cmd.contains("rsync") && !cmd.contains("--daemon")).orElse(false))).orElse(false);
    }
}
