package io.jclsync.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import java.io.IOException;

/**
 * Nothing a peer overwrites or deletes is gone: n2 rewrites and deletes what n1 wrote, and n1 (its
 * default store, {@code simple:2}) lists the old versions and restores them byte for byte; a
 * restore is a local change that reaches every node; the store is never part of any tree.
 */
class ClusterVersioningIT extends ClusterTestBase {
    private static final Duration COMMAND = Duration.ofSeconds(60);

    private List<String> n1Args = List.of("--versioning", "simple:2");
    private Path mounted;

    @Override
    List<String> extraArgs(int i) {
        return i == 0 ? n1Args : List.of();
    }

    @AfterEach
    void unmount() throws Exception {
        stopCluster();
        if (mounted != null) Root.run(List.of("umount", mounted.toString()));
    }

    private JclsyncProcess.Result versions(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("versions"));
        all.addAll(Arrays.asList(args));
        all.addAll(List.of("--versions-dir", states.get(0).resolve("versions").toString()));
        return JclsyncProcess.run(tmp.resolve("versions-command.log"), COMMAND, all.toArray(String[]::new));
    }

    /** Writes on n2 and waits until every node has it. */
    private void onN2(String what, IoStep step) throws Exception {
        step.run(trees.get(1));
        awaitConverged(what);
    }

    interface IoStep {
        void run(Path tree) throws Exception;
    }

    @Test
    void whatAPeerOverwritesOrDeletesIsKeptListedAndRestored() throws Exception {
        byte[] big = new byte[1 << 20];
        new Random(5).nextBytes(big);
        Path n1 = trees.get(0);
        Files.createDirectories(n1.resolve("d/e"));
        Files.write(n1.resolve("d/e/big.bin"), big);
        Files.writeString(n1.resolve("a.txt"), "one");
        Files.writeString(n1.resolve("b.txt"), "b, deleted by n2");
        startCluster();
        awaitConverged("n1's files");

        onN2("a.txt two", t -> Files.writeString(t.resolve("a.txt"), "two"));
        onN2("a.txt three", t -> Files.writeString(t.resolve("a.txt"), "three!"));
        onN2("a.txt four", t -> Files.writeString(t.resolve("a.txt"), "four"));
        onN2("deletes", t -> {
            Files.delete(t.resolve("b.txt"));
            Files.delete(t.resolve("d/e/big.bin"));
            Files.delete(t.resolve("d/e"));
            Files.delete(t.resolve("d"));
        });

        JclsyncProcess.Result list = versions("list");
        assertEquals(0, list.exitCode(), list.output());
        List<String> lines = list.output().lines().toList();
        // simple:2: of a.txt's three replaced versions ("one", "two", "three!") the newest two stay.
        assertEquals(4, lines.size(), list.output() + logs());
        assertTrue(lines.get(0).matches("\\d{8}-\\d{6}\\.\\d{3} +3 a\\.txt"), lines.get(0));
        assertTrue(lines.get(1).matches("\\d{8}-\\d{6}\\.\\d{3} +6 a\\.txt"), lines.get(1));
        assertTrue(lines.get(2).endsWith(" 16 b.txt"), lines.get(2));
        assertTrue(lines.get(3).endsWith(" " + big.length + " d/e/big.bin"), lines.get(3));

        // Restored on n1: a normal local change, so every node gets them back.
        for (String p : List.of("b.txt", "d/e/big.bin")) {
            JclsyncProcess.Result r = versions("restore", p, "-W", n1.toString());
            assertEquals(0, r.exitCode(), r.output());
        }
        awaitConverged("the restored files");
        for (Path tree : trees) {
            assertEquals("b, deleted by n2", Files.readString(tree.resolve("b.txt")));
            assertArrayEquals(big, Files.readAllBytes(tree.resolve("d/e/big.bin")));
            try (Stream<Path> all = Files.walk(tree)) {
                List<Path> stored = all.filter(p -> p.getFileName().toString().matches(".*~\\d{8}-\\d{6}\\.\\d{3}")).toList();
                assertEquals(List.of(), stored, "no version is in a tree");
            }
        }
        // The other nodes keep theirs too (trash, the default): n3 had every version n2 replaced.
        assertTrue(Files.isDirectory(states.get(2).resolve("versions/files/d/e")), "n3 kept d/e/big.bin");
    }

    @Test
    void aFullVersionsDiskIsLoggedAndThePeersVersionStillArrives() throws Exception {
        Root.assume("mounting a small tmpfs as n1's versions dir");
        Path store = Files.createDirectories(tmp.resolve("small-versions"));
        Root.run(List.of("mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "jclsync-versions", store.toString()));
        mounted = store;
        n1Args = List.of("--versioning", "trash", "--versions-dir", store.toString());
        byte[] first = new byte[1 << 20];
        byte[] second = new byte[1 << 20];
        new Random(1).nextBytes(first);
        new Random(2).nextBytes(second);
        Files.write(trees.get(0).resolve("big.bin"), first);
        startCluster();
        awaitConverged("n1's big file");

        onN2("n2's big file over it", t -> Files.write(t.resolve("big.bin"), second));
        onN2("a small file after it", t -> Files.writeString(t.resolve("after.txt"), "still syncing"));
        assertArrayEquals(second, Files.readAllBytes(trees.get(0).resolve("big.bin")), "n2's version is n1's file");
        assertTrue(nodes.get(0).log().contains("the old version of big.bin is not kept"), logs());
        assertTrue(nodes.get(0).isAlive());
        try (Stream<Path> all = Files.walk(store)) {
            assertEquals(List.of(), all.filter(Files::isRegularFile).filter(p -> {
                try {
                    return Files.size(p) > 0;
                } catch (IOException e) {
                    return true;
                }
            }).toList(), "no partial copy is left in the store");
        }
    }
}
