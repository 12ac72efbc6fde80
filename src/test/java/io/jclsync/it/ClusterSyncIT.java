package io.jclsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.io.UncheckedIOException;

/**
 * Three jclsync processes in cluster mode on 127.0.0.2-4 (TCP), each with its own directory.
 * Every workload must converge on all nodes, be pulled once by each peer, and be announced by
 * the node that made it only: no echo.
 */
class ClusterSyncIT extends ClusterTestBase {
    private static long delta(List<Map<String, Long>> before, List<Map<String, Long>> after, int node, String key) {
        return after.get(node).getOrDefault(key, 0L) - before.get(node).getOrDefault(key, 0L);
    }

    /** Runs a workload on {@code writers} and checks convergence, single pulls and no echo. */
    private List<Map<String, Long>> workload(String what, List<Integer> writers, int filesPerPeer, Runnable change)
            throws Exception {
        List<Map<String, Long>> before = awaitQuiet(Duration.ofMillis(700));
        change.run();
        awaitConverged(what);
        List<Map<String, Long>> after = awaitQuiet(Duration.ofMillis(1500));
        for (int i = 0; i < 3; i++) {
            if (!writers.contains(i)) {
                assertEquals(0, delta(before, after, i, "batches_announced"),
                        what + ": n" + (i + 1) + " re-announced what it received: " + after.get(i));
            } else {
                assertTrue(delta(before, after, i, "batches_announced") >= 1, what + ": n" + (i + 1) + " announced nothing");
            }
            if (filesPerPeer >= 0 && !writers.contains(i) && writers.size() == 1) {
                assertEquals(filesPerPeer, delta(before, after, i, "files_pulled"),
                        what + ": n" + (i + 1) + " pulled each file once: " + after.get(i));
            }
        }
        return after;
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes {@code file} beside the trees and moves it in: it appears whole. Written in place, a
     * file is empty between open and write; a node that read and announced it then (the test thread
     * stalled in between) could have it pulled twice, once empty, and the exact count fails.
     */
    private void writeWhole(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.move(Files.writeString(tmp.resolve("staged"), text), file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void everyNodeGetsEveryChangeOnceAndNothingEchoes() throws Exception {
        startCluster();
        workload("fan-out of 1,000 files from n1", List.of(0), 1000, () -> {
            for (int d = 0; d < 100; d++) {
                for (int f = 0; f < 10; f++) writeWhole(trees.get(0).resolve("fan/d" + d + "/f" + f), "n1 " + d + "/" + f);
            }
        });
        workload("disjoint writes on n2 and n3", List.of(1, 2), -1, () -> {
            for (int f = 0; f < 100; f++) {
                write(trees.get(1).resolve("from-n2/f" + f), "two " + f);
                write(trees.get(2).resolve("from-n3/f" + f), "three " + f);
            }
        });
        workload("appends on n3", List.of(2), 20, () -> {
            for (int f = 0; f < 20; f++) {
                try {
                    Files.writeString(trees.get(2).resolve("from-n2/f" + f), " appended", StandardOpenOption.APPEND);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
        workload("rename of a directory of 100 files on n2", List.of(1), 0, () -> {
            try {
                Files.move(trees.get(1).resolve("fan/d7"), trees.get(1).resolve("fan/d7-renamed"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertTrue(Files.isRegularFile(trees.get(0).resolve("fan/d7-renamed/f3")));
        assertFalse(Files.exists(trees.get(2).resolve("fan/d7")));
        workload("recursive delete on n1", List.of(0), 0, () -> {
            try {
                SyncIT.deleteTree(trees.get(0).resolve("fan/d9"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertFalse(Files.exists(trees.get(1).resolve("fan/d9")));
        for (int i = 0; i < 3; i++) assertTrue(nodes.get(i).isAlive(), nodes.get(i).log());
        assertEquals(0, counters(0).get("rejected_messages"));
        // Frames overtaking each other under load are within the replay window: none dropped.
        for (int i = 0; i < 3; i++) assertEquals(0, counters(i).get("rejected_frames"), "n" + (i + 1));
        // Every pull was a member's, with the key its hello gave: none refused by a transfer listener.
        for (int i = 0; i < 3; i++) assertEquals(0, counters(i).get("refused_transfers"), "n" + (i + 1));
        // Converged means quiet: for 16 s (longer than a node's longest periodic check, 15 s)
        // nothing is announced, received or pulled anywhere.
        List<Map<String, Long>> settled = awaitQuiet(Duration.ofMillis(1500));
        long quietUntil = System.nanoTime() + Duration.ofSeconds(16).toNanos();
        // Meanwhile a `jclsync members` check joins and leaves: it is counted, not taken for a peer of the tree.
        JclsyncProcess.Result members = JclsyncProcess.run(tmp.resolve("members.out"), CONVERGE, "members",
                "--cluster-name", "it", "--node-name", "probe", "--cluster-secret-file", secret.toString(),
                "--cluster-bind", "127.0.0.5:" + port, "--cluster-peers", address(0) + ":" + port, "--expect", "4",
                "--listen", "4");
        assertEquals(0, members.exitCode(), members.output());
        for (int i = 0; i < 3; i++) assertFalse(nodes.get(i).log().contains("peer probe"), nodes.get(i).log());
        Thread.sleep(Math.max(0, (quietUntil - System.nanoTime()) / 1_000_000));
        assertEquals(settled, allCounters(), "the cluster stayed busy after converging");
    }

    @Test
    void concurrentEditsOfOneFileKeepBothVersionsTheSameWayEverywhere() throws Exception {
        startCluster();
        write(trees.get(0).resolve("shared.txt"), "the version everyone agreed on\n");
        awaitConverged("the shared file");
        awaitQuiet(Duration.ofMillis(700));
        write(trees.get(0).resolve("shared.txt"), "edited on n1\n");
        write(trees.get(2).resolve("shared.txt"), "edited on n3 at the same moment\n");
        // n3's write is the newer (same second at most, but a later nanosecond mtime).
        awaitConverged("both edits");
        // Each pair of trees was equal when it was compared, not all three at once, and the conflict
        // counters are saved once a batch is applied, after its files are in place: both settle first.
        awaitQuiet(Duration.ofMillis(1500));
        awaitConverged("both edits, settled");
        for (int i = 0; i < 3; i++) {
            assertEquals("edited on n3 at the same moment\n", Files.readString(trees.get(i).resolve("shared.txt")),
                    "n" + (i + 1) + ": the newer version (n3's) keeps the path");
            List<Path> copies;
            try (var list = Files.list(trees.get(i))) {
                copies = list.filter(p -> p.getFileName().toString().matches("shared\\.sync-conflict-\\d{8}-\\d{6}-n1-[0-9a-f]{8}\\.txt"))
                        .toList();
            }
            assertEquals(1, copies.size(), "n" + (i + 1) + ": n1's version kept beside it, once");
            assertEquals("edited on n1\n", Files.readString(copies.get(0)), "n" + (i + 1));
        }
        long conflicts = 0;
        for (int i = 0; i < 3; i++) conflicts += counters(i).get("conflicts");
        assertTrue(conflicts >= 2, "n1 and n3 each saw the conflict: " + allCounters());
    }

    /**
     * Found by the chaos checker (cluster seed 11): n2 removes a directory n1 just made as soon as
     * it appears there, within one collect window. n2 must announce the delete (it knows the
     * directory from n1's batch), or n1 and n3 keep it for good.
     */
    @Test
    void aPeersDirectoryRemovedAsSoonAsItArrivesIsRemovedEverywhere() throws Exception {
        startCluster();
        awaitQuiet(Duration.ofMillis(700));
        Path there = trees.get(1).resolve("short-lived");
        Files.createDirectory(trees.get(0).resolve("short-lived"));
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (!Files.isDirectory(there)) {
            if (System.nanoTime() > deadline) throw new AssertionError("n1's directory never reached n2");
            Thread.sleep(1);
        }
        Files.delete(there);
        awaitConverged("the directory n2 removed");
        for (int i = 0; i < 3; i++) {
            assertFalse(Files.exists(trees.get(i).resolve("short-lived")), "n" + (i + 1) + " still has it");
        }
    }

    /** The index entries node {@code node}'s first catch-up with {@code peer} brought, from its log. */
    private long catchUpEntries(int node, String peer) throws Exception {
        nodes.get(node).awaitLog("catch-up with " + peer + ": ", CONVERGE);
        String log = nodes.get(node).log();
        Matcher m = Pattern.compile("catch-up with " + peer + ": ([\\d,]+) index entries").matcher(log);
        assertTrue(m.find(), "no count of entries in n" + (node + 1) + "'s catch-up with " + peer + ":\n" + log);
        return Long.parseLong(m.group(1).replace(",", ""));
    }

    @Test
    void aLateJoinerAndARestartedNodeGetWhatTheyLack() throws Exception {
        // Peers quiet for 2 s after live batches are asked to catch up again, which moves how far
        // each node has the others' indexes (60 s by default).
        Map<String, String> refresh = Map.of("JAVA_TOOL_OPTIONS", "-Djclsync.positionRefreshSeconds=2");
        startNode(0, refresh);
        startNode(1, refresh);
        awaitConverged("two nodes", List.of(0, 1));
        for (int f = 0; f < 50; f++) write(trees.get(1).resolve("early/f" + f), "early " + f);
        awaitConverged("early files", List.of(0, 1));

        startNode(2, refresh);
        awaitConverged("the late joiner n3 catching up", List.of(0, 1, 2));
        // Its catch-up is reported: entries received and files pulled from n2 (the 50 early files' writer
        // or n1, whichever answered with them).
        nodes.get(2).awaitLog("index entries, ", CONVERGE);
        assertTrue(Pattern.compile("catch-up with n[12]: [\\d,]+ index entries, [\\d,]+ file\\(s\\)")
                .matcher(nodes.get(2).log()).find(), nodes.get(2).log());

        // Quiet for longer than the refresh delay: the nodes have asked each other again.
        awaitQuiet(Duration.ofSeconds(5));
        assertEquals(0, nodes.get(1).terminate(CONVERGE), "SIGTERM stops a cluster node cleanly");
        // Changes on the others while n2 is down: new files, a modification, a deletion.
        for (int f = 0; f < 30; f++) write(trees.get(0).resolve("while-n2-was-down/f" + f), "new " + f);
        write(trees.get(0).resolve("early/f1"), "changed on n1 while n2 was down");
        Files.delete(trees.get(2).resolve("early/f2"));
        // And on n2's own tree while jclsync was not running there.
        write(trees.get(1).resolve("early/f3"), "changed on n2 while it was down");
        Files.delete(trees.get(1).resolve("early/f4"));
        write(trees.get(1).resolve("offline.txt"), "written on n2 while it was down");
        awaitConverged("n1 and n3 without n2", List.of(0, 2));
        startNode(1, refresh);
        awaitConverged("n2 after its restart", List.of(0, 1, 2));
        // Catch-up is incremental: n2 is sent what changed while it was away (33 entries from each
        // peer: 30 files, their dir, f1, f2's tombstone), not the peers' whole indexes (84 each).
        // Counted from n2's log, which reports each answer once it is applied; counters.json is no
        // fit: it is saved at the end of applying a batch, after the files are in place (read at once,
        // it could still say 0), and later a refresh (after 2 s of quiet) sends n2 back the 3 entries
        // it announced itself (72 in all, seen in a run that read it 6 s later).
        long entries = catchUpEntries(1, "n1") + catchUpEntries(1, "n3");
        assertTrue(entries > 0 && entries <= 2 * 34, "n2 received " + entries + " index entries: " + allCounters());
        long counted = counters(1).get("catch_up_entries_received");
        assertTrue(counted >= entries, "n2 counted " + counted + " index entries received, its log " + entries);
        for (int i = 0; i < 3; i++) {
            Path t = trees.get(i);
            assertEquals("changed on n1 while n2 was down", Files.readString(t.resolve("early/f1")), "n" + (i + 1));
            assertFalse(Files.exists(t.resolve("early/f2")), "n" + (i + 1) + ": deleted while n2 was down");
            assertEquals("changed on n2 while it was down", Files.readString(t.resolve("early/f3")), "n" + (i + 1));
            assertFalse(Files.exists(t.resolve("early/f4")), "n" + (i + 1) + ": deleted on n2 while it was down");
            assertEquals("written on n2 while it was down", Files.readString(t.resolve("offline.txt")), "n" + (i + 1));
        }
    }
}
