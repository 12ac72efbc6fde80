package io.jclsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.nio.charset.StandardCharsets;

/**
 * Lowers inotify's kernel limits (root only; restored afterwards) to provoke a queue overflow and
 * running out of watches.
 */
class KernelLimitsIT {
    private static final String QUEUED = "fs.inotify.max_queued_events";
    private static final String WATCHES = "fs.inotify.max_user_watches";

    @TempDir
    Path tmp;
    Path src;
    Path dst;
    JclsyncProcess jclsync;
    String savedQueued;
    String savedWatches;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Files.isWritable(Path.of("/proc/sys/fs/inotify/max_queued_events")),
                "needs root to change fs.inotify limits");
        savedQueued = sysctl(QUEUED, null);
        savedWatches = sysctl(WATCHES, null);
        src = Files.createDirectories(tmp.resolve("src"));
        dst = Files.createDirectories(tmp.resolve("dst"));
    }

    @AfterEach
    void restore() throws Exception {
        if (savedQueued != null) sysctl(QUEUED, savedQueued);
        if (savedWatches != null) sysctl(WATCHES, savedWatches);
        if (jclsync != null) jclsync.close();
    }

    /**
     * Reads ({@code value} null) or sets a sysctl through /proc/sys, in one write. (Files.readString
     * trusts the size /proc reports, 0, and can return a truncated value: read lines instead.)
     */
    private static String sysctl(String name, String value) throws IOException {
        Path file = Path.of("/proc/sys", name.replace('.', '/'));
        if (value != null) {
            Files.write(file, (value + "\n").getBytes(StandardCharsets.US_ASCII));
            String now = sysctl(name, null);
            if (!now.equals(value)) throw new IOException(name + " is " + now + " after writing " + value);
            return value;
        }
        return Files.readAllLines(file).get(0).strip();
    }

    @Test
    void anOverflowedQueueIsRescannedAndTheTargetStillConverges() throws Exception {
        Path status = tmp.resolve("status");
        sysctl(QUEUED, "32"); // read by inotify_init1: only jclsync's instance gets it
        jclsync = JclsyncProcess.start(tmp.resolve("log"), "-W", src.toString(), "-D", dst.toString(), "-t", "0.3",
                "--status-file", status.toString());
        jclsync.awaitStatus(status, "running", Duration.ofSeconds(30));
        sysctl(QUEUED, savedQueued);
        // Freeze jclsync while the flood lands, so its 32-event queue surely overflows.
        JclsyncProcess.signal("STOP", jclsync.pid());
        try {
            for (int d = 0; d < 40; d++) {
                Path dir = Files.createDirectories(src.resolve("flood" + d));
                for (int f = 0; f < 50; f++) Files.writeString(dir.resolve("f" + f), "x" + f);
            }
        } finally {
            JclsyncProcess.signal("CONT", jclsync.pid());
        }
        Trees.awaitEqual(src, dst, Duration.ofSeconds(30), jclsync);
        assertTrue(jclsync.log().contains("inotify queue overflowed"), jclsync.log());
        // Still watching after the rescan: later changes keep arriving.
        Files.writeString(src.resolve("flood7/after-overflow"), "later");
        Trees.awaitEqual(src, dst, Duration.ofSeconds(30), jclsync);
    }

    @Test
    void runningOutOfWatchesStopsWithTheSysctlToRaiseAndSyncsNothing() throws Exception {
        for (int d = 0; d < 30; d++) Files.writeString(Files.createDirectories(src.resolve("d" + d)).resolve("f"), "x");
        Files.writeString(dst.resolve("already-there"), "keep me");
        sysctl(WATCHES, "8");
        JclsyncProcess.Result r;
        try {
            r = JclsyncProcess.run(tmp.resolve("log"), Duration.ofSeconds(30), "-W", src.toString(), "-D",
                    dst.toString());
        } finally {
            sysctl(WATCHES, savedWatches);
        }
        assertNotEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("fs.inotify.max_user_watches"), r.output());
        assertTrue(r.output().contains("sysctl"), r.output());
        try (Stream<Path> s = Files.list(dst)) {
            assertEquals(1, s.count(), "no partial sync happened");
        }
        assertEquals("keep me", Files.readString(dst.resolve("already-there")));
        assertFalse(Files.exists(dst.resolve("d0")));
    }
}
