package io.jclsync.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.jclsync.batch.Batch;
import io.jclsync.batch.ChangeKind;
import io.jclsync.cluster.wire.WireMessage;
import io.jclsync.echo.EchoFilter;
import io.jclsync.filter.Filter;
import io.jclsync.fs.FileType;
import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import io.jclsync.state.FileStates;
import io.jclsync.state.Index;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a local batch becomes on the wire and in the index, on a real directory. */
class AnnouncerTest {
    @TempDir
    Path root;
    @TempDir
    Path state;
    private final Index index = new Index("n2");
    private final EchoFilter echoes = new EchoFilter();
    private final List<WireMessage.Change> sent = new ArrayList<>();
    private Announcer announcer;

    @BeforeEach
    void setUp() throws Exception {
        announcer = new Announcer(root, "n2", () -> Filter.ACCEPT_ALL, echoes, new Counters(state.resolve("counters.json")),
                index, sent::addAll, () -> { });
    }

    /**
     * Found by the chaos checker (cluster seed 12): n2 renamed {@code a} to {@code b} while n3's
     * concurrent edit of {@code a} was being pulled; the pull put n3's version at {@code a} (an edit
     * beats a delete) before n2's batch was announced. The rename tombstoned {@code a} in n2's index
     * all the same, and that tombstone, newer than n3's version, deleted {@code a} on the other
     * nodes through catch-up answers while n2 kept it: trees apart for good.
     */
    @Test
    void aRenameDoesNotTombstoneAPeersVersionPlacedAtTheOldNameMeanwhile() throws Exception {
        Files.writeString(root.resolve("a"), "n1's first version\n");
        index.applied(Path.of("a"), FileStates.of(root.resolve("a")), Map.of("n1", 1L), "n1");
        Files.move(root.resolve("a"), root.resolve("b"));
        Files.writeString(root.resolve("a"), "n1's first version, appended to on n3\n");
        FileState n3s = FileStates.of(root.resolve("a"));
        echoes.expect(RelPath.of(Path.of("a")), n3s);
        index.applied(Path.of("a"), n3s, Map.of("n1", 1L, "n3", 1L), "n3");

        announcer.run(new Batch(List.of(new Batch.Rename(Path.of("a"), Path.of("b"))),
                List.of(new Batch.Entry(Path.of("a"), ChangeKind.MODIFY, FileType.FILE, n3s.size())), false));

        assertEquals(List.of("RENAME b"), sent.stream().map(c -> c.kind() + " " + c.path()).toList(), "sent: " + sent);
        Index.Version a = index.get(Path.of("a"));
        assertNotNull(a.state(), "n3's version at the old name stays live in the index");
        assertEquals(Map.of("n1", 1L, "n3", 1L), a.vector());
    }

    /**
     * Found by the chaos checker (cluster seed 15): a peer's rename of {@code c} into a new directory
     * {@code data45} was applied here by moving {@code c}, and its entries were indexed at their new
     * paths; the watcher then reported {@code data45} new and its walk announced every entry below
     * it again as this node's change (the echo filter expected only the directory), bumping their
     * versions above concurrent edits elsewhere. What is exactly as indexed is no change.
     */
    @Test
    void aWalkDoesNotAnnounceWhatIsExactlyAsIndexed() throws Exception {
        Files.createDirectories(root.resolve("data45/c"));
        Files.writeString(root.resolve("data45/c/f"), "moved here by the applier\n");
        Files.writeString(root.resolve("data45/c/g"), "and then changed here\n");
        for (String p : List.of("data45", "data45/c", "data45/c/f", "data45/c/g")) {
            index.applied(Path.of(p), FileStates.of(root.resolve(p)), Map.of("n1", 1L), "n1");
        }
        Files.writeString(root.resolve("data45/c/g"), "and then changed here, longer\n");

        announcer.run(new Batch(List.of(), List.of(new Batch.Entry(Path.of("data45"), ChangeKind.CREATE, FileType.DIRECTORY, 0)),
                false));

        assertEquals(List.of("MODIFY data45/c/g"), sent.stream().map(c -> c.kind() + " " + c.path()).toList());
        assertEquals(Map.of("n1", 1L), index.get(Path.of("data45/c/f")).vector(), "an entry as indexed keeps its version");
    }

    /** The plain case: the old name is gone, and its tombstone is in the index. */
    @Test
    void aRenameTombstonesTheOldNameWhenItIsGone() throws Exception {
        Files.writeString(root.resolve("a"), "content\n");
        index.applied(Path.of("a"), FileStates.of(root.resolve("a")), Map.of("n1", 1L), "n1");
        Files.move(root.resolve("a"), root.resolve("b"));

        announcer.run(new Batch(List.of(new Batch.Rename(Path.of("a"), Path.of("b"))),
                List.of(new Batch.Entry(Path.of("a"), ChangeKind.DELETE, null, 0)), false));

        Index.Version a = index.get(Path.of("a"));
        assertEquals(null, a.state(), "the old name is a tombstone");
        assertEquals(List.of("RENAME b", "DELETE a"), sent.stream().map(c -> c.kind() + " " + c.path()).toList());
        assertEquals(a.vector(), sent.get(1).version(), "the delete sent is the tombstone indexed");
        assertEquals(1L, a.vector().get("n1"), "and it covers the version renamed");
    }
}
