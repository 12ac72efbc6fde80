package io.jclsync.replica;

import io.jclsync.apply.Counters;

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
import io.jclsync.state.VersionVector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.StandardOpenOption;
import java.util.Set;

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
        index.applied(Path.of("a"), FileStates.of(root.resolve("a")), VersionVector.of("n1", 1), "n1");
        Files.move(root.resolve("a"), root.resolve("b"));
        Files.writeString(root.resolve("a"), "n1's first version, appended to on n3\n");
        FileState n3s = FileStates.of(root.resolve("a"));
        echoes.expect(RelPath.of(Path.of("a")), n3s);
        index.applied(Path.of("a"), n3s, VersionVector.of(Map.of("n1", 1L, "n3", 1L)), "n3");

        announcer.run(new Batch(List.of(new Batch.Rename(Path.of("a"), Path.of("b"))),
                List.of(new Batch.Entry(Path.of("a"), ChangeKind.MODIFY, FileType.FILE, n3s.size())), false));

        assertEquals(List.of("RENAME b"), sent.stream().map(c -> c.kind() + " " + c.path()).toList(), "sent: " + sent);
        Index.Version a = index.get(Path.of("a"));
        assertNotNull(a.state(), "n3's version at the old name stays live in the index");
        assertEquals(VersionVector.of(Map.of("n1", 1L, "n3", 1L)), a.vector());
    }

    /**
     * Found by the chaos checker (cluster seed 25): n2 renamed directory d to e and deleted e/b
     * before the batch went out. e/b was never indexed, so its delete was dropped, and the rename
     * was sent as one: n1 moved its d whole, b with it, and kept e/b for good. A directory whose
     * old entries are not all below its new name any more is announced as a new directory (the
     * old one deleted entry by entry), so peers take what is there now and nothing more.
     */
    @Test
    void aDirectoryRenamedThenChangedInsideIsAnnouncedAsANewDirectory() throws Exception {
        Files.createDirectories(root.resolve("d"));
        Files.writeString(root.resolve("d/a"), "stays\n");
        Files.writeString(root.resolve("d/b"), "deleted after the rename\n");
        for (String p : List.of("d", "d/a", "d/b")) {
            index.applied(Path.of(p), FileStates.of(root.resolve(p)), VersionVector.of("n1", 1), "n1");
        }
        Files.move(root.resolve("d"), root.resolve("e"));
        Files.delete(root.resolve("e/b"));

        announcer.run(new Batch(List.of(new Batch.Rename(Path.of("d"), Path.of("e"))),
                List.of(new Batch.Entry(Path.of("d"), ChangeKind.DELETE, null, 0),
                        new Batch.Entry(Path.of("e"), ChangeKind.CREATE, FileType.DIRECTORY, 0),
                        new Batch.Entry(Path.of("e/b"), ChangeKind.DELETE, null, 0)), false));

        List<String> kinds = sent.stream().map(c -> c.kind() + " " + c.path()).toList();
        assertEquals(Set.of("DELETE d/a", "DELETE d/b", "DELETE d", "MODIFY e", "MODIFY e/a"),
                Set.copyOf(kinds), "sent: " + kinds);
        assertEquals(kinds.size(), Set.copyOf(kinds).size(), "each path once: " + kinds);
        assertEquals(true, kinds.indexOf("DELETE d/a") < kinds.indexOf("DELETE d"), "entries' tombstones first: " + kinds);
        for (String gone : List.of("d", "d/a", "d/b")) assertEquals(null, index.get(Path.of(gone)).state(), gone);
        assertEquals(1L, index.get(Path.of("d/b")).vector().get("n1"), "d/b's tombstone covers its version");
    }

    /**
     * Found by the chaos checker (cluster seed 2105): n2 renamed {@code log} to {@code s/log} and
     * changed it inside before the batch went out, so it was announced as a new directory, every
     * old entry tombstoned ({@code log/f} at n2=4); then it renamed it back. The entries carried
     * back to {@code log} took their versions from {@code s/log} (n2=1) without the tombstones at
     * their names: announced at n2=2, older than the delete every peer held, they were ignored,
     * and a catch-up answer then deleted n2's own file (a lost write). A local rename comes after
     * everything this node indexed: what moved descends from what its new name held.
     */
    @Test
    void anEntryRenamedBackOntoItsOwnTombstoneIsNewerThanIt() throws Exception {
        Files.createDirectories(root.resolve("log"));
        Files.writeString(root.resolve("log/f"), "token 18\n");
        FileState dir = FileStates.of(root.resolve("log"));
        FileState f = FileStates.of(root.resolve("log/f"));
        index.applied(Path.of("log"), null, VersionVector.of("n2", 5), "n2");
        index.applied(Path.of("log/f"), null, VersionVector.of("n2", 4), "n2");
        index.applied(Path.of("s"), FileStates.of(root), VersionVector.of("n2", 1), "n2");
        index.applied(Path.of("s/log"), dir, VersionVector.of("n2", 1), "n2");
        index.applied(Path.of("s/log/f"), f, VersionVector.of("n2", 1), "n2");

        announcer.run(new Batch(List.of(new Batch.Rename(Path.of("s/log"), Path.of("log"))),
                List.of(new Batch.Entry(Path.of("s/log"), ChangeKind.DELETE, null, 0),
                        new Batch.Entry(Path.of("log"), ChangeKind.CREATE, FileType.DIRECTORY, 0)), false));

        WireMessage.Change back = sent.stream().filter(c -> c.path().toPath().equals(Path.of("log/f")) && c.state() != null)
                .findFirst().orElseThrow(() -> new AssertionError("log/f not announced: " + sent));
        assertEquals(true, back.version().covers(VersionVector.of("n2", 4)) && !back.version().equals(VersionVector.of("n2", 4)),
                "log/f's new version is newer than its tombstone: " + back.version());
        assertEquals(back.version(), index.get(Path.of("log/f")).vector());
        WireMessage.Change rename = sent.stream().filter(c -> c.kind() == WireMessage.Kind.RENAME).findFirst().orElseThrow();
        assertEquals(true, rename.version().covers(VersionVector.of("n2", 5)), "log's too: " + rename.version());
    }

    /**
     * Found by the chaos checker (cluster seed 45): a peer's change made directory {@code e} here
     * (empty, registered as an echo) just before this node renamed its own {@code d} back to
     * {@code e}, which replaced the empty one. The rename's target matched the echo (a directory's
     * state is its mode), so the rename and everything below it went unannounced: the others never
     * had them again. A rename is a peer's only if its old name was expected gone too.
     */
    @Test
    void aLocalRenameOntoADirectoryAPeerJustMadeIsAnnounced() throws Exception {
        Files.createDirectories(root.resolve("d"));
        Files.writeString(root.resolve("d/f"), "this node's\n");
        for (String p : List.of("d", "d/f")) index.applied(Path.of(p), FileStates.of(root.resolve(p)), VersionVector.of("n2", 1), "n2");
        Files.createDirectory(root.resolve("e"));
        echoes.expect(RelPath.of(Path.of("e")), FileStates.of(root.resolve("e")));
        Files.delete(root.resolve("e"));
        Files.move(root.resolve("d"), root.resolve("e"));

        announcer.run(new Batch(List.of(new Batch.Rename(Path.of("d"), Path.of("e"))),
                List.of(new Batch.Entry(Path.of("d"), ChangeKind.DELETE, null, 0),
                        new Batch.Entry(Path.of("e"), ChangeKind.CREATE, FileType.DIRECTORY, 0)), false));

        List<String> kinds = sent.stream().map(c -> c.kind() + " " + c.path()).toList();
        assertEquals(List.of("RENAME e", "DELETE d/f", "DELETE d", "MODIFY e/f"), kinds);
    }

    /**
     * Found by the chaos checker (cluster seed 45, replayed): n3 renamed directory {@code d}, in
     * which n1 had just written {@code d/x} (an echo expected there), away to {@code e} and back
     * half a second later. The first batch sent {@code d/x}'s tombstone; in the second the walk of
     * {@code d} found {@code d/x} as n1 had written it, still matching that expectation (kept for a
     * minute), and did not announce it: the rename alone was sent, which a peer that had made
     * {@code d} again for a concurrent write could not apply, and {@code d/x} stayed on n3 only.
     * A path this node announces gone is no peer's write any more: its expectations go.
     */
    @Test
    void aPeersFileMovedAwayAndBackByThisNodeIsAnnouncedAgain() throws Exception {
        Files.createDirectories(root.resolve("d"));
        Files.writeString(root.resolve("d/x"), "n1's\n");
        index.applied(Path.of("d"), FileStates.of(root.resolve("d")), VersionVector.of("n2", 1), "n2");
        FileState x = FileStates.of(root.resolve("d/x"));
        index.applied(Path.of("d/x"), x, VersionVector.of("n1", 1), "n1");
        echoes.expect(RelPath.of(Path.of("d/x")), x);
        Files.move(root.resolve("d"), root.resolve("e"));
        announcer.run(new Batch(List.of(new Batch.Rename(Path.of("d"), Path.of("e"))),
                List.of(new Batch.Entry(Path.of("d"), ChangeKind.DELETE, null, 0),
                        new Batch.Entry(Path.of("e"), ChangeKind.CREATE, FileType.DIRECTORY, 0)), false));
        sent.clear();

        Files.move(root.resolve("e"), root.resolve("d"));
        announcer.run(new Batch(List.of(new Batch.Rename(Path.of("e"), Path.of("d"))),
                List.of(new Batch.Entry(Path.of("e"), ChangeKind.DELETE, null, 0),
                        new Batch.Entry(Path.of("d"), ChangeKind.CREATE, FileType.DIRECTORY, 0)), false));

        List<String> kinds = sent.stream().map(c -> c.kind() + " " + c.path()).toList();
        assertEquals(List.of("RENAME d", "DELETE e/x", "DELETE e", "MODIFY d/x"), kinds);
    }

    /**
     * Found by the chaos checker (cluster seed 71): n2's rename of d to e was applied here (an
     * echo), and a file was created here in the moved directory at once. The watcher's batch named
     * e alone (a directory entry stands for what is below it), and a directory a peer renamed here
     * was not walked: the new file was never announced. Below a peer's rename what is as the index
     * holds it moved with the directory; anything else is this node's change.
     */
    @Test
    void aFileMadeInADirectoryJustMovedByAPeersRenameIsAnnounced() throws Exception {
        Files.createDirectories(root.resolve("e"));
        Files.writeString(root.resolve("e/x"), "moved here with e\n");
        FileState e = FileStates.of(root.resolve("e"));
        index.applied(Path.of("e"), e, VersionVector.of("n1", 2), "n1");
        index.applied(Path.of("e/x"), FileStates.of(root.resolve("e/x")), VersionVector.of("n1", 1), "n1");
        index.applied(Path.of("d"), null, VersionVector.of("n1", 2), "n1");
        index.applied(Path.of("d/x"), null, VersionVector.of("n1", 2), "n1");
        echoes.expect(RelPath.of(Path.of("e")), e);
        echoes.expect(RelPath.of(Path.of("d")), null);
        Files.writeString(root.resolve("e/new"), "made here right after\n");

        announcer.run(new Batch(List.of(new Batch.Rename(Path.of("d"), Path.of("e"))),
                List.of(new Batch.Entry(Path.of("d"), ChangeKind.DELETE, null, 0),
                        new Batch.Entry(Path.of("e"), ChangeKind.CREATE, FileType.DIRECTORY, 0)), false));

        assertEquals(List.of("MODIFY e/new"), sent.stream().map(c -> c.kind() + " " + c.path()).toList());
        assertEquals(VersionVector.of("n1", 1), index.get(Path.of("e/x")).vector(), "what moved is no change of this node's");
    }

    /** What moves with a directory keeps its version history: a change after the rename descends from it. */
    @Test
    void whatMovesWithADirectoryKeepsItsVersions() throws Exception {
        Files.createDirectories(root.resolve("d"));
        Files.writeString(root.resolve("d/x"), "x\n");
        index.applied(Path.of("d"), FileStates.of(root.resolve("d")), VersionVector.of("n1", 1), "n1");
        index.applied(Path.of("d/x"), FileStates.of(root.resolve("d/x")), VersionVector.of(Map.of("n1", 1L, "n3", 1L)), "n3");
        Files.move(root.resolve("d"), root.resolve("e"));
        Files.writeString(root.resolve("e/x"), "appended after the rename\n", StandardOpenOption.APPEND);

        announcer.run(new Batch(List.of(new Batch.Rename(Path.of("d"), Path.of("e"))),
                List.of(new Batch.Entry(Path.of("d"), ChangeKind.DELETE, null, 0),
                        new Batch.Entry(Path.of("e"), ChangeKind.CREATE, FileType.DIRECTORY, 0),
                        new Batch.Entry(Path.of("e/x"), ChangeKind.MODIFY, FileType.FILE, 0)), false));

        WireMessage.Change ex = sent.stream().filter(c -> c.path().toString().equals("e/x")).findFirst().orElseThrow();
        assertEquals(VersionVector.of(Map.of("n1", 1L, "n2", 1L, "n3", 1L)), ex.version(), "d/x's version, then this node's change");
        assertEquals(List.of("RENAME e", "DELETE d/x", "DELETE d", "MODIFY e/x"), sent.stream().map(c -> c.kind() + " " + c.path()).toList());
    }

    /** The plain case: the old name is gone, and its tombstone is in the index. */
    @Test
    void aRenameTombstonesTheOldNameWhenItIsGone() throws Exception {
        Files.writeString(root.resolve("a"), "content\n");
        index.applied(Path.of("a"), FileStates.of(root.resolve("a")), VersionVector.of("n1", 1), "n1");
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
