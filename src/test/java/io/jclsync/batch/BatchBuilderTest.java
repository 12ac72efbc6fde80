package io.jclsync.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.jclsync.filter.Filter;

/** Builds batches from snapshots of a real tree. */
class BatchBuilderTest {
    @TempDir
    Path root;

    private final Delays delays = new Delays(Duration.ofMillis(100), Duration.ofMillis(100), 1 << 20, Duration.ZERO, 100);

    private static Snapshot snapshot(Map<Path, ChangeKind> changes) {
        return new Snapshot(changes, Set.of(), List.of(), false, Set.of(), 0);
    }

    private static List<Path> paths(Batch b) {
        return b.entries().stream().map(Batch.Entry::path).toList();
    }

    /**
     * Found by the chaos checker (issue 11): a file written through one of its hard links changed
     * the other name too, but no event names it, and the destination kept its old content.
     */
    @Test
    void aWriteThroughOneHardLinkSyncsTheOtherNames() throws Exception {
        BatchBuilder builder = new BatchBuilder(root, delays, () -> Filter.ACCEPT_ALL);
        Files.createDirectories(root.resolve("d"));
        Files.writeString(root.resolve("a"), "one");
        Files.createLink(root.resolve("d/b"), root.resolve("a"));
        // link(2) is reported for the new name only: the old one is found by a walk.
        Batch linked = builder.build(snapshot(Map.of(Path.of("d/b"), ChangeKind.CREATE))).batch();
        assertEquals(List.of(Path.of("a"), Path.of("d/b")), paths(linked));

        Files.writeString(root.resolve("d/b"), "two, longer");
        Batch next = builder.build(snapshot(Map.of(Path.of("d/b"), ChangeKind.MODIFY))).batch();
        assertEquals(List.of(Path.of("a"), Path.of("d/b")), paths(next));

        Files.delete(root.resolve("d/b"));
        builder.build(snapshot(Map.of(Path.of("d/b"), ChangeKind.DELETE, Path.of("a"), ChangeKind.MODIFY)));
        Files.writeString(root.resolve("a"), "three");
        assertEquals(List.of(Path.of("a")), paths(builder.build(snapshot(Map.of(Path.of("a"), ChangeKind.MODIFY))).batch()));
    }
}
