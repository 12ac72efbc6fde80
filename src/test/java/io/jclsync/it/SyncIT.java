package io.jclsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.fs.PathBytes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import java.util.Random;

/** jclsync as a separate process, real inotify, real rsync, one-way to a local directory. */
class SyncIT extends OneWayTestBase {

    private void start(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("-W", src.toString(), "-D", dst.toString(), "-M", "rsyncdirect",
                "-t", "0.2", "--status-file", status.toString(), "-v"));
        args.addAll(List.of(extra));
        jclsync = JclsyncProcess.start(log, args.toArray(String[]::new));
        jclsync.awaitStatus(status, "running", CONVERGE);
    }

    private static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    @Test
    void thousandsOfFilesInNewNestedDirsWrittenAsFastAsPossible() throws Exception {
        write(src.resolve("before/start.txt"), "there before start");
        start();
        Trees.awaitEqual(src, dst, CONVERGE, jclsync);
        for (int d = 0; d < 300; d++) {
            Path dir = src.resolve("top" + (d % 10)).resolve("mid" + d).resolve("leaf");
            Files.createDirectories(dir);
            for (int f = 0; f < 10; f++) {
                Files.writeString(dir.resolve("file" + f), "content of " + d + "/" + f + "\n".repeat(f * 100));
            }
        }
        Files.setPosixFilePermissions(src.resolve("top0/mid0/leaf/file0"), PosixFilePermissions.fromString("rwx------"));
        Files.createSymbolicLink(src.resolve("top1/link"), Path.of("../does/not/exist"));
        Files.setLastModifiedTime(src.resolve("top2/mid2/leaf/file2"), FileTime.fromMillis(86_400_000L));
        Trees.awaitEqual(src, dst, CONVERGE, jclsync);
        try (Stream<Path> files = Files.walk(dst)) {
            assertEquals(3000 + 1, files.filter(Files::isRegularFile).count());
        }
        assertTrue(Files.isSymbolicLink(dst.resolve("top1/link")), "symlinks are synced as links");
        assertEquals(0, jclsync.terminate(CONVERGE), "SIGTERM stops cleanly");
        assertEquals("stopping", Files.readString(status).strip());
    }

    @Test
    void appendsRenamesAndRecursiveDeletes() throws Exception {
        for (int i = 0; i < 50; i++) write(src.resolve("logs/app" + i + ".log"), "line 0\n");
        for (int i = 0; i < 1000; i++) write(src.resolve("photos/2024/img" + i + ".jpg"), "jpeg " + i + " ".repeat(1000));
        for (int i = 0; i < 200; i++) write(src.resolve("trash/a/b/c" + (i % 7) + "/f" + i), "x");
        start();
        Trees.awaitEqual(src, dst, CONVERGE, jclsync);

        for (int round = 1; round <= 3; round++) {
            for (int i = 0; i < 50; i++) {
                Files.writeString(src.resolve("logs/app" + i + ".log"), "line " + round + "\n", StandardOpenOption.APPEND);
            }
        }
        Trees.awaitEqual(src, dst, CONVERGE, jclsync);
        assertEquals("line 0\nline 1\nline 2\nline 3\n", Files.readString(dst.resolve("logs/app7.log")));

        int batchesBefore = batchLines(jclsync.log()).size();
        Files.move(src.resolve("photos/2024"), src.resolve("photos/archive-2024"));
        Trees.awaitEqual(src, dst, CONVERGE, jclsync);
        // A batch's log line follows its transfer: the trees can be equal a moment before it, so the
        // lines counted before the move may miss the appends' last batch. Wait for the rename's own line.
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (batchLines(jclsync.log()).subList(batchesBefore, batchLines(jclsync.log()).size()).stream()
                .noneMatch(l -> l.contains("renamed in place")) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        List<String> all = batchLines(jclsync.log());
        List<String> renameBatches = all.subList(batchesBefore, all.size());
        assertTrue(renameBatches.stream().anyMatch(l -> l.contains("1 renamed in place")), renameBatches.toString());
        long copied = renameBatches.stream().mapToLong(SyncIT::fileDataBytes).sum();
        assertTrue(copied < 10_000, "a renamed dir of 1 MB must not be copied again, yet " + copied
                + " bytes of file data were sent: " + renameBatches);

        deleteTree(src.resolve("trash"));
        Trees.awaitEqual(src, dst, CONVERGE, jclsync);
        assertFalse(Files.exists(dst.resolve("trash")));
        assertTrue(Files.exists(dst.resolve("photos/archive-2024/img999.jpg")));
    }

    @Test
    void namesWithSpacesNewlinesAndBytesThatAreNotUtf8() throws Exception {
        start();
        byte[] latin1 = "caf\u00e9 \u00e0 la carte".getBytes(StandardCharsets.ISO_8859_1);
        Path odd = src.resolve(PathBytes.path(latin1));
        Files.createDirectories(odd);
        write(odd.resolve("a file\nwith a newline"), "1");
        write(src.resolve("  leading and trailing  "), "2");
        write(src.resolve("quote's \"and\" \\back*slash?[x]"), "3");
        write(src.resolve("-starts-with-dash"), "4");
        Trees.awaitEqual(src, dst, CONVERGE, jclsync);
        assertEquals("1", Files.readString(dst.resolve(PathBytes.path(latin1)).resolve("a file\nwith a newline")));

        Files.delete(odd.resolve("a file\nwith a newline"));
        Files.move(src.resolve("quote's \"and\" \\back*slash?[x]"), odd.resolve("moved \u00fc"));
        Trees.awaitEqual(src, dst, CONVERGE, jclsync);
    }

    @Test
    void aBigFileWaitsForItsOwnDelayAndArrives() throws Exception {
        start("-B", "1M", "-T", "2");
        byte[] big = new byte[3 << 20];
        new Random(1).nextBytes(big);
        Files.write(src.resolve("big.bin"), big);
        write(src.resolve("small.txt"), "small");
        jclsync.awaitLog("wait for the big-file delay", CONVERGE);
        long waited = Trees.awaitEqual(src, dst, CONVERGE, jclsync);
        assertTrue(waited >= 1000, "the big file arrived after " + waited + " ms, before its 2 s delay");
    }

    @Test
    void restartAfterStopCatchesUpWithChangesMadeWhileDown() throws Exception {
        for (int i = 0; i < 100; i++) write(src.resolve("d" + (i % 5) + "/f" + i), "v1");
        start();
        Trees.awaitEqual(src, dst, CONVERGE, jclsync);
        assertEquals(0, jclsync.terminate(CONVERGE));

        for (int i = 0; i < 100; i += 2) write(src.resolve("d" + (i % 5) + "/f" + i), "v2 longer");
        deleteTree(src.resolve("d1"));
        write(src.resolve("new/while-down"), "new");
        start();
        Trees.awaitEqual(src, dst, CONVERGE, jclsync);
        assertFalse(Files.exists(dst.resolve("d1")));
        assertEquals("v2 longer", Files.readString(dst.resolve("d0/f0")));
    }

    @Test
    void onlyInitialSyncCopiesOnceAndExits() throws Exception {
        for (int i = 0; i < 20; i++) write(src.resolve("x/f" + i), "v" + i);
        write(dst.resolve("stale"), "not in the source");
        JclsyncProcess.Result r = JclsyncProcess.run(log, CONVERGE, "-W", src.toString(), "-D", dst.toString(),
                "--only-initialsync");
        assertEquals(0, r.exitCode(), r.output());
        Trees.awaitEqual(src, dst, Duration.ZERO, null);
    }

    static List<String> batchLines(String log) {
        List<String> out = new ArrayList<>();
        for (String line : log.split("\n")) {
            if (line.contains(" sent (") && line.contains("file data)")) out.add(line);
        }
        return out;
    }

    private static final Pattern FILE_DATA = Pattern.compile("\\(([0-9.]+) (B|KiB|MiB|GiB) file data\\)");

    static long fileDataBytes(String line) {
        Matcher m = FILE_DATA.matcher(line);
        if (!m.find()) throw new AssertionError("no file data figure in: " + line);
        double v = Double.parseDouble(m.group(1));
        int shift = switch (m.group(2)) {
            case "B" -> 0;
            case "KiB" -> 10;
            case "MiB" -> 20;
            default -> 30;
        };
        return (long) (v * (1L << shift));
    }

    static void deleteTree(Path top) throws IOException {
        try (Stream<Path> all = Files.walk(top)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
