package io.jclsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Nodes that start without an index (new, or with their state dir deleted) on trees that already
 * hold files, with the user's collect delay ({@code -t 1}): what a first scan finds is versioned by
 * its content, so a later change of it is newer everywhere and identical content is never a conflict.
 */
class ClusterFreshNodesIT extends ClusterTestBase {
    private static final byte[] KIB = new byte[1024];

    @Override
    String collectDelay() {
        return "1";
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void append(Path file) {
        try {
            Files.write(file, KIB, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code dirs} × {@code files} small files under {@code dir} of {@code tree}. */
    private static void writeMany(Path tree, String dir, int dirs, int files) {
        for (int d = 0; d < dirs; d++) {
            for (int f = 0; f < files; f++) write(tree.resolve(dir + "/d" + d + "/f" + f), dir + " " + d + "/" + f + "\n");
        }
    }

    /** The conflict copies in {@code tree}. */
    private static List<Path> conflictCopies(Path tree) throws IOException {
        try (Stream<Path> all = Files.walk(tree)) {
            return all.filter(p -> p.getFileName().toString().contains(".sync-conflict-")).toList();
        }
    }

    private void assertNoConflicts(String what) throws IOException {
        for (int i = 0; i < 3; i++) {
            List<Path> copies = conflictCopies(trees.get(i));
            long conflicts = counters(i).getOrDefault("conflicts", 0L);
            if (!copies.isEmpty() || conflicts != 0) {
                throw new AssertionError(what + ": n" + (i + 1) + " counted " + conflicts + " conflict(s), copies "
                        + copies + logs());
            }
        }
    }

    /** n1 holds 2,000 files; n2 and n3 start empty and join; converged. */
    private void joinTwoEmptyNodes() throws Exception {
        writeMany(trees.get(0), "joined", 2, 1000);
        startCluster();
        awaitQuiet(Duration.ofSeconds(1));
    }

    /** The 500 files of joined/d0 that n2 appends 1 KiB to. */
    private void appendOnN2() {
        for (int f = 0; f < 500; f++) append(trees.get(1).resolve("joined/d0/f" + f));
    }

    @Test
    void appendsToFilesAJoinerGotAreNoConflicts() throws Exception {
        joinTwoEmptyNodes();
        appendOnN2();
        awaitConverged("500 appends on n2 to files it got when it joined");
        awaitQuiet(Duration.ofSeconds(2));
        assertNoConflicts("appends after a join");
        assertEquals(1024 + "joined 0/7\n".length(), Files.size(trees.get(2).resolve("joined/d0/f7")));
    }

    @Test
    void theUsersSequenceEndsInOneTreeAfterARecursiveDelete() throws Exception {
        joinTwoEmptyNodes();
        writeMany(trees.get(0), "new-on-n1", 100, 20);
        awaitConverged("2,000 new files on n1");
        Thread writerN2 = new Thread(() -> writeMany(trees.get(1), "from-n2", 10, 100));
        writerN2.start();
        writeMany(trees.get(0), "from-n1", 10, 100);
        writerN2.join();
        awaitConverged("1,000 files each on n1 and n2");
        appendOnN2();
        awaitConverged("500 appends on n2");
        Files.move(trees.get(2).resolve("from-n2"), trees.get(2).resolve("from-n2-renamed"));
        awaitConverged("a directory of 1,000 files renamed on n3");
        SyncIT.deleteTree(trees.get(0).resolve("joined/d1"));
        awaitConverged("rm -r on n1 of a directory of 1,000 files n1 had before the cluster started");
        for (int i = 0; i < 3; i++) {
            assertFalse(Files.exists(trees.get(i).resolve("joined/d1")), "n" + (i + 1));
            assertTrue(Files.isRegularFile(trees.get(i).resolve("from-n2-renamed/d3/f5")), "n" + (i + 1));
        }
        // The other 1,000-file dirs: written live, and the one n3 renamed.
        SyncIT.deleteTree(trees.get(0).resolve("from-n1"));
        awaitConverged("rm -r on n1 of the directory it wrote");
        SyncIT.deleteTree(trees.get(0).resolve("from-n2-renamed"));
        awaitConverged("rm -r on n1 of the directory n3 renamed");
        awaitQuiet(Duration.ofSeconds(2));
        awaitConverged("still one tree once quiet");
        for (int i = 0; i < 3; i++) assertFalse(Files.exists(trees.get(i).resolve("from-n2-renamed")), "n" + (i + 1));
        assertNoConflicts("the user's sequence");
    }

    @Test
    void identicalPreSeededTreesAgreeAndOnlyRealEditsConflict() throws Exception {
        writeMany(trees.get(0), "seeded", 2, 50);
        for (int i = 1; i < 3; i++) rsync(trees.get(0), trees.get(i));
        startCluster();
        // The trees are equal from the start: wait until each node has scanned and caught up with both
        // others, or a rewrite below would be what a first scan finds (a real conflict).
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) if (i != j) nodes.get(i).awaitLog("catch-up with n" + (j + 1) + ":", CONVERGE);
        }
        awaitQuiet(Duration.ofSeconds(1));
        assertNoConflicts("three fresh nodes on identical trees");

        assertEquals(0, nodes.get(1).terminate(CONVERGE));
        write(trees.get(0).resolve("seeded/d0/f1"), "rewritten on n1 while n2 was stopped\n");
        awaitConverged("n1's rewrite on n3", List.of(0, 2));
        assertNoConflicts("n1's rewrite of a common version");
        write(trees.get(1).resolve("seeded/d0/f1"), "rewritten on n2, later\n");
        startNode(1);
        awaitConverged("n2's rewrite after its restart");
        awaitQuiet(Duration.ofSeconds(2));
        awaitConverged("still one tree once quiet");
        for (int i = 0; i < 3; i++) {
            List<String> copies = new ArrayList<>();
            for (Path p : conflictCopies(trees.get(i))) copies.add(trees.get(i).relativize(p).toString());
            assertEquals(1, copies.size(), "n" + (i + 1) + ": one copy, of the losing edit: " + copies);
            assertTrue(copies.get(0).matches("seeded/d0/f1\\.sync-conflict-\\d{8}-\\d{6}-n1-[0-9a-f]{8}"), copies.get(0));
            assertEquals("rewritten on n2, later\n", Files.readString(trees.get(i).resolve("seeded/d0/f1")));
        }
    }

    private static void rsync(Path from, Path to) throws Exception {
        Process p = new ProcessBuilder("rsync", "-a", from + "/", to + "/").inheritIO().start();
        assertEquals(0, p.waitFor());
    }
}
