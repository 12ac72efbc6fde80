package io.jclsync.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.fs.PathBytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One-way {@code --versioning} at a local destination, jclsync as a separate process: what the
 * source overwrites and deletes is kept outside the destination, listed and restored byte for byte
 * with {@code jclsync versions}; with a full versions disk the changes still arrive.
 */
class VersioningIT extends OneWayTestBase {
    private static final Duration COMMAND = Duration.ofSeconds(30);
    private Path versions;
    private Path mounted;

    private void start(String mode, String policy) throws Exception {
        versions = tmp.resolve("versions");
        jclsync = JclsyncProcess.start(log, "-W", src.toString(), "-D", dst.toString(), "-M", mode, "-t", "0.2",
                "--status-file", status.toString(), "--versioning", policy, "--versions-dir", versions.toString());
        jclsync.awaitStatus(status, "running", CONVERGE);
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted != null) {
            if (jclsync != null) jclsync.close();
            jclsync = null;
            Root.run(List.of("umount", mounted.toString()));
        }
    }

    /** The files and symlinks in the store's files/ (the versions kept). */
    private long storedVersions() throws IOException {
        Path files = versions.resolve("files");
        if (!Files.isDirectory(files)) return 0;
        try (Stream<Path> s = Files.walk(files)) {
            return s.filter(p -> !Files.isDirectory(p)).count();
        }
    }

    private void awaitVersions(long n) throws Exception {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (storedVersions() != n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + n + " versions, have " + storedVersions() + "; log:\n" + jclsync.log());
            }
            Thread.sleep(50);
        }
    }

    /** A change in the source, then wait until the destination has it and the store holds {@code versionsAfter}. */
    private void change(long versionsAfter, IoStep step) throws Exception {
        step.run();
        Trees.awaitEqual(src, dst, CONVERGE, jclsync);
        awaitVersions(versionsAfter);
    }

    interface IoStep {
        void run() throws IOException;
    }

    private JclsyncProcess.Result versionsCommand(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("versions"));
        all.addAll(Arrays.asList(args));
        return JclsyncProcess.run(tmp.resolve("versions-command.log"), COMMAND, all.toArray(String[]::new));
    }

    @ParameterizedTest
    @ValueSource(strings = {"rsyncdirect", "direct"})
    void overwrittenAndDeletedFilesAreKeptListedAndRestored(String mode) throws Exception {
        byte[] big = new byte[300_000];
        new Random(7).nextBytes(big);
        Files.createDirectories(src.resolve("d"));
        Files.write(src.resolve("d/big.bin"), big);
        Files.writeString(src.resolve("a.txt"), "one");
        byte[] oddName = {'o', 'd', 'd', ' ', (byte) 0xff, '\n', 'x'};
        Path odd = PathBytes.child(src, oddName);
        Files.writeString(odd, "odd one");
        start(mode, "simple:2");
        Trees.awaitEqual(src, dst, CONVERGE, jclsync);
        assertEquals(0, storedVersions(), "the initial sync into an empty destination replaces nothing");

        change(1, () -> Files.writeString(src.resolve("a.txt"), "two"));
        change(2, () -> Files.writeString(src.resolve("a.txt"), "three"));
        change(2, () -> Files.writeString(src.resolve("a.txt"), "four")); // simple:2: "one" goes
        change(3, () -> Files.delete(src.resolve("d/big.bin")));
        change(4, () -> Files.writeString(odd, "odd two"));
        try (Stream<Path> s = Files.list(versions.resolve("incoming"))) {
            assertEquals(0, s.count(), "rsync's backups were all moved into the store");
        }

        JclsyncProcess.Result list = versionsCommand("list", "--versions-dir", versions.toString());
        assertEquals(0, list.exitCode(), list.output());
        List<String> lines = list.output().lines().toList();
        assertEquals(4, lines.size(), list.output());
        assertTrue(lines.get(0).matches("\\d{8}-\\d{6}\\.\\d{3} +3 a\\.txt"), lines.get(0));
        assertTrue(lines.get(1).matches("\\d{8}-\\d{6}\\.\\d{3} +5 a\\.txt"), lines.get(1));
        assertTrue(lines.get(2).endsWith(" 300000 d/big.bin"), lines.get(2));
        assertTrue(lines.get(3).endsWith(" 7 odd \\xff\\x0ax"), lines.get(3));
        JclsyncProcess.Result one = versionsCommand("list", "a.txt", "--versions-dir", versions.toString());
        assertEquals(lines.subList(0, 2), one.output().lines().toList());

        // The older of a.txt's two versions ("two") to a new file, by its listed time.
        String firstTime = lines.get(0).substring(0, 19);
        Path out = tmp.resolve("restored-a.txt");
        JclsyncProcess.Result r = versionsCommand("restore", "a.txt", "--at", firstTime, "--to", out.toString(),
                "--versions-dir", versions.toString());
        assertEquals(0, r.exitCode(), r.output());
        assertEquals("two", Files.readString(out));

        // The deleted file back into the source: it syncs to the destination like any change.
        r = versionsCommand("restore", "d/big.bin", "-W", src.toString(), "--versions-dir", versions.toString());
        assertEquals(0, r.exitCode(), r.output());
        assertArrayEquals(big, Files.readAllBytes(src.resolve("d/big.bin")));
        Trees.awaitEqual(src, dst, CONVERGE, jclsync);
        assertArrayEquals(big, Files.readAllBytes(dst.resolve("d/big.bin")));

        // Restoring over a file keeps that file as a version first.
        r = versionsCommand("restore", "a.txt", "-W", src.toString(), "--versions-dir", versions.toString());
        assertEquals(0, r.exitCode(), r.output());
        assertEquals("three", Files.readString(src.resolve("a.txt")));
        Trees.awaitEqual(src, dst, CONVERGE, jclsync);
        JclsyncProcess.Result after = versionsCommand("list", "a.txt", "--versions-dir", versions.toString());
        assertTrue(after.output().lines().anyMatch(l -> l.matches(".* +4 a\\.txt")), "four is kept: " + after.output());

        JclsyncProcess.Result missing = versionsCommand("restore", "never.txt", "--to", tmp.resolve("x").toString(),
                "--versions-dir", versions.toString());
        assertEquals(1, missing.exitCode(), missing.output());
        assertTrue(missing.output().contains("no version kept"), missing.output());
        assertEquals(0, jclsync.terminate(CONVERGE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"rsyncdirect", "direct"})
    void aFullVersionsDiskIsLoggedAndSyncingGoesOn(String mode) throws Exception {
        Root.assume("mounting a small tmpfs as the versions dir");
        versions = Files.createDirectories(tmp.resolve("versions"));
        Root.run(List.of("mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "jclsync-versions", versions.toString()));
        mounted = versions;
        byte[] first = new byte[400_000];
        new Random(1).nextBytes(first);
        Files.write(src.resolve("big.bin"), first);
        Files.writeString(src.resolve("small.txt"), "small one");
        start(mode, "trash");
        Trees.awaitEqual(src, dst, CONVERGE, jclsync);

        byte[] second = new byte[400_000];
        new Random(2).nextBytes(second);
        Files.write(src.resolve("big.bin"), second); // its old version is bigger than the whole versions disk
        Trees.awaitEqual(src, dst, CONVERGE, jclsync);
        assertArrayEquals(second, Files.readAllBytes(dst.resolve("big.bin")), "the current file arrived whole");
        jclsync.awaitLog("syncing goes on without keeping them", CONVERGE);

        change(1, () -> Files.writeString(src.resolve("small.txt"), "small two")); // small ones still fit
        Files.delete(src.resolve("big.bin"));
        Trees.awaitEqual(src, dst, CONVERGE, jclsync);
        assertTrue(jclsync.isAlive());
        try (Stream<Path> s = Files.list(versions.resolve("tmp"))) {
            assertEquals(0, s.count(), "no partial copy left in the store");
        }
        assertEquals(1, storedVersions(), "only the version that fitted");
        assertEquals(0, jclsync.terminate(CONVERGE));
    }
}
