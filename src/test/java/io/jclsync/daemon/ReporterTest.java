package io.jclsync.daemon;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReporterTest {
    @TempDir
    Path dir;

    /** Waits (at most 10 s) until {@code file} contains {@code text}. */
    private static void awaitText(Path file, String text) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!Files.exists(file) || !Files.readString(file).contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(file + " never said " + text + ": " + (Files.exists(file) ? Files.readString(file) : "(none)"));
            }
            Thread.sleep(20);
        }
    }

    @Test
    void theStatusIsWrittenAtStartAndWhenAChangeIsTold() throws Exception {
        Stats stats = new Stats("web", "cluster", () -> "running", () -> 0);
        Path file = dir.resolve("status.json");
        try (Reporter r = Reporter.writing(stats, List.of(file))) {
            awaitText(file, "\"events\": 0,");
            stats.eventsCollected(3);
            awaitText(file, "\"events\": 3,");
            stats.eventsCollected(4);
            stats.batchSynced();
            awaitText(file, "\"events\": 7, \"batches\": 1,");
        }
    }

    @Test
    void aChangeNoOneToldOfIsWrittenOnClose() throws Exception {
        Stats stats = new Stats("web", "cluster", () -> "running", () -> 0);
        Path file = dir.resolve("status.json");
        Reporter r = Reporter.writing(stats, List.of(file));
        awaitText(file, "\"events\": 0,");
        stats.events.addAndGet(5);
        r.close();
        r.close();
        assertTrue(Files.readString(file).contains("\"events\": 5,"), Files.readString(file));
    }
}
