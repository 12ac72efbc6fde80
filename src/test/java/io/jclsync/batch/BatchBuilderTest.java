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

    /**
     * Found by the chaos checker (cluster seed 945): a file was written through one of its names,
     * then that name was deleted before the batch was built (its directory removed). The write and
     * the delete coalesce to a delete: no event named the other name, whose new content never
     * went anywhere. A known name of a multi-link file that is gone brings its other names in.
     */
    @Test
    void aNameWrittenThroughThenDeletedBringsTheOtherNamesIn() throws Exception {
        BatchBuilder builder = new BatchBuilder(root, delays, () -> Filter.ACCEPT_ALL);
        Files.createDirectories(root.resolve("d"));
        Files.writeString(root.resolve("d/f2"), "one");
        Files.createLink(root.resolve("other"), root.resolve("d/f2"));
        builder.build(snapshot(Map.of(Path.of("other"), ChangeKind.CREATE)));

        Files.writeString(root.resolve("d/f2"), "two");
        Files.delete(root.resolve("d/f2"));
        Files.delete(root.resolve("d"));
        Batch next = builder.build(snapshot(Map.of(Path.of("d"), ChangeKind.DELETE))).batch();
        assertEquals(List.of(Path.of("d"), Path.of("other")), paths(next));
    }

    /**
     * Found by the chaos checker (cluster seed 936): a file's mtime was set through one of its
     * names, then a peer's version replaced that name (a new inode) before the batch was built: the
     * other name, changed too, was never announced. A known name that is another inode now brings
     * the old inode's other names in.
     */
    @Test
    void aNameWrittenThroughThenReplacedBringsTheOtherNamesIn() throws Exception {
        BatchBuilder builder = new BatchBuilder(root, delays, () -> Filter.ACCEPT_ALL);
        Files.writeString(root.resolve("a"), "one");
        Files.createLink(root.resolve("b"), root.resolve("a"));
        builder.build(snapshot(Map.of(Path.of("b"), ChangeKind.CREATE)));

        Files.setLastModifiedTime(root.resolve("b"), java.nio.file.attribute.FileTime.fromMillis(1_000_000));
        Files.writeString(root.resolve("b.new"), "a peer's");
        Files.move(root.resolve("b.new"), root.resolve("b"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Batch next = builder.build(snapshot(Map.of(Path.of("b"), ChangeKind.MODIFY))).batch();
        assertEquals(List.of(Path.of("a"), Path.of("b")), paths(next));
    }
}
