package io.jclsync.state;

import static io.jclsync.state.VersionVector.Order.CONCURRENT;
import static io.jclsync.state.VersionVector.Order.EQUAL;
import static io.jclsync.state.VersionVector.Order.NEWER;
import static org.junit.jupiter.api.Assertions.assertEquals;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.fs.FileType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.jclsync.cluster.wire.IndexCodec;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

class IndexTest {
    @Test
    void localChangesCountOnTopOfWhatWasApplied() {
        Index v = new Index("n2");
        Path f = Path.of("f");
        v.applied(f, null, VersionVector.of("n1", 3), "n1");
        assertEquals(VersionVector.of(Map.of("n1", 3L, "n2", 1L)), v.localChange(f, null));
        assertEquals(VersionVector.of(Map.of("n1", 3L, "n2", 2L)), v.localChange(f, null));
        assertEquals("n2", v.get(f).writer());
        FileState found = file(3, 7);
        assertEquals(ContentVersion.of(found), v.observed(Path.of("new"), found), "observing is not a change of ours");
        assertEquals(VersionVector.of(Map.of("n1", 3L, "n2", 2L)), v.observed(f, found), "an indexed path keeps its version");
    }

    @Test
    void aScansDeleteIsMadeOnlyIfTheEntryIsStillWhatTheScanSaw() {
        Index index = new Index("n1");
        Path d = Path.of("d");
        Path f = Path.of("d", "f");
        index.applied(d, new FileState(FileType.DIRECTORY, 0, 1, 0755, new byte[0], new byte[0]), VersionVector.of("n2", 1), "n2");
        index.applied(f, file(3, 7), VersionVector.of("n2", 1), "n2");
        Index.Version seen = index.get(f);
        // The apply thread takes a peer's newer version of f after the scan looked, before it deletes.
        index.applied(f, file(4, 8), VersionVector.of("n2", 2), "n2");
        assertNull(index.localDeleteIfUnchanged(f, seen), "changed since the scan: not deleted");
        assertTrue(FileStates.same(file(4, 8), index.get(f).state()));
        assertEquals(VersionVector.of("n2", 2), index.get(f).vector());

        Index.Version dir = index.get(d);
        assertEquals(VersionVector.of(Map.of("n2", 1L, "n1", 1L)), index.localDeleteIfUnchanged(d, dir));
        assertNull(index.get(d).state(), "unchanged: tombstoned as this node's delete");
        assertNull(index.get(f).state(), "and what was below it with it");
        assertEquals(VersionVector.of(Map.of("n2", 2L, "n1", 1L)), index.get(f).vector());
    }

    @Test
    void aPeersVersionIsRecordedOnlyOverTheEntryItWasDecidedFrom() {
        Index index = new Index("n1");
        Path f = Path.of("f");
        index.applied(f, file(3, 7), VersionVector.of("n2", 1), "n2");
        Index.Version decidedFrom = index.get(f);
        // The announcer indexes an edit made here after the apply thread read the entry and the file.
        index.localChange(f, file(5, 9));
        assertFalse(index.appliedIfUnchanged(f, decidedFrom, file(3, 7), VersionVector.of(Map.of("n2", 1L, "n3", 1L)), "n3", false),
                "the entry changed since the decision: nothing written");
        assertTrue(FileStates.same(file(5, 9), index.get(f).state()), "the edit stays what the index holds");
        assertEquals(VersionVector.of(Map.of("n2", 1L, "n1", 1L)), index.get(f).vector());

        Index.Version now = index.get(f);
        assertTrue(index.appliedIfUnchanged(f, now, file(5, 9), VersionVector.of("n3", 1), "n3", false));
        assertEquals(VersionVector.of(Map.of("n2", 1L, "n1", 1L, "n3", 1L)), index.get(f).vector());
        assertTrue(index.appliedIfUnchanged(Path.of("new"), null, null, VersionVector.of("n3", 2), "n3", false),
                "no entry, as read: recorded");
        assertFalse(index.appliedIfUnchanged(Path.of("new"), null, null, VersionVector.of("n3", 3), "n3", false));
    }

    @Test
    void oldTombstonesExpireAndLiveEntriesStay() {
        FileState file = new FileState(FileType.FILE, 3, 7, 0644, new byte[0], new byte[32]);
        Index index = new Index("n1", Duration.ofDays(1));
        index.applied(Path.of("kept"), file, VersionVector.of("n2", 4), "n2");
        index.localChange(Path.of("gone"), null);
        long deletedAt = index.get(Path.of("gone")).deletedAtMillis();
        assertTrue(deletedAt > 0, "a tombstone knows when it was made");

        index.log().expireTombstones(deletedAt + Duration.ofHours(23).toMillis());
        assertEquals(VersionVector.of("n1", 1), index.get(Path.of("gone")).vector(), "younger than a day: kept");
        index.log().expireTombstones(deletedAt + Duration.ofHours(25).toMillis());
        assertNull(index.get(Path.of("gone")), "older than a day: forgotten");
        assertEquals(VersionVector.of("n2", 4), index.get(Path.of("kept")).vector(), "live entries never expire");
        assertEquals(0, index.log().catchUpStart(new IndexLog.Position(index.log().indexId(), 1)),
                "a peer that has not seen the forgotten tombstone starts over");
    }

    @Test
    void catchUpSendsOnlyWhatChangedSinceThePeersPosition() {
        FileState file = new FileState(FileType.FILE, 3, 7, 0644, new byte[0], new byte[32]);
        Index index = new Index("n1");
        for (int i = 0; i < 1000; i++) index.observed(Path.of("d", "f" + i), file);
        IndexLog.Answer everything = index.log().answer(null);
        assertEquals(1000, everything.entries().size(), "a peer that never took this index gets all of it");
        IndexLog.Position peerHas = new IndexLog.Position(everything.indexId(), everything.through());

        index.localChange(Path.of("d", "f7"), file);
        index.localChange(Path.of("d", "f3"), null);
        IndexLog.Answer delta = index.log().answer(peerHas);
        assertEquals(List.of(Path.of("d", "f7"), Path.of("d", "f3")),
                delta.entries().stream().map(Map.Entry::getKey).toList(), "only the two changes, oldest first");
        assertNull(delta.entries().get(1).getValue().state(), "a delete travels as a tombstone");
        assertEquals(0, index.log().answer(new IndexLog.Position(delta.indexId(), delta.through())).entries().size());
        assertEquals(1000, index.log().answer(new IndexLog.Position(12345, 1000)).entries().size(),
                "another index id (this index was reset since): all of it, f3 as a tombstone");
    }

    @Test
    void deletingADirectoryTombstonesWhatWasIndexedBelowIt() {
        FileState file = new FileState(FileType.FILE, 3, 7, 0644, new byte[0], new byte[32]);
        Index index = new Index("n1");
        for (String p : List.of("a/x", "a/b/y", "a-z", "a.txt", "ab/c", "b")) index.observed(Path.of(p), file);
        index.localChange(Path.of("a"), null);
        for (String p : List.of("a", "a/x", "a/b/y")) assertNull(index.get(Path.of(p)).state(), p + " is deleted");
        for (String p : List.of("a-z", "a.txt", "ab/c", "b")) assertEquals(file, index.get(Path.of(p)).state(), p + " stays");
        assertEquals(ContentVersion.of(file).merge(VersionVector.of("n1", 1)), index.get(Path.of("a/b/y")).vector(),
                "a delete is a change of what was found: peers take it");
    }

    @Test
    void theIndexSurvivesARestart(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("index");
        FileState state = new FileState(FileType.FILE, 3, 7, 0644, new byte[0], new byte[32]);
        Index before = new Index("n1");
        before.applied(Path.of("kept"), state, VersionVector.of("n2", 4), "n2");
        before.localChange(Path.of("gone"), null);
        before.log().caughtUp("n2", new IndexLog.Position(77, 5));
        IndexCodec.write(file, before.log().snapshotIfDirty());
        assertNull(before.log().snapshotIfDirty(), "nothing changed since");

        Index after = new Index("n1");
        after.log().restore(IndexCodec.read(file));
        assertEquals(VersionVector.of("n2", 4), after.get(Path.of("kept")).vector());
        assertEquals("n2", after.get(Path.of("kept")).writer());
        assertNull(after.get(Path.of("gone")).state(), "a fresh tombstone is kept");
        assertTrue(after.get(Path.of("gone")).deletedAtMillis() > 0, "the tombstone's time is saved");
        assertEquals(before.log().indexId(), after.log().indexId());
        assertEquals(before.log().sequence(), after.log().sequence());
        assertEquals(new IndexLog.Position(77, 5), after.log().position("n2"));
        assertFalse(after.fresh(), "a restored index is not a new node's");
        after.localChange(Path.of("new"), state);
        assertEquals(before.log().sequence() + 1, after.get(Path.of("new")).sequence(), "sequences go on where they were");
    }

    private static FileState file(long size, long mtime) {
        return new FileState(FileType.FILE, size, mtime, 0644, new byte[0], new byte[32]);
    }

    private static FileState file(String content, long mtime, int mode) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(content.getBytes());
            return new FileState(FileType.FILE, content.length(), mtime, mode, new byte[0], sha);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void whatFirstScansFindIsVersionedByItsContent() {
        Path f = Path.of("d/f");
        Index n1 = new Index("n1");
        Index n2 = new Index("n2");
        Index n3 = new Index("n3");
        // The same content on two nodes (one copy did not keep the mtime): the same version, no node's.
        VersionVector v1 = n1.observed(f, file("common\n", 100, 0644));
        VersionVector v2 = n2.observed(f, file("common\n", 200, 0644));
        assertEquals(v1, v2, "equal content, equal version, whoever scanned first");
        assertEquals(EQUAL, v2.compare(v1));
        assertTrue(ContentVersion.isKey(v1.asMap().keySet().iterator().next()));
        // A change made to it descends from it, on every node.
        VersionVector appended = n2.localChange(f, file("common\nmore\n", 300, 0644));
        assertEquals(NEWER, appended.compare(v1), "n1 takes n2's change as newer: no conflict");
        // Different contents found by two new nodes are concurrent: a real conflict, both kept.
        VersionVector other = n3.observed(f, file("something else\n", 100, 0644));
        assertEquals(CONCURRENT, other.compare(v1));
        assertEquals(CONCURRENT, n3.observed(Path.of("m"), file("common\n", 100, 0600)).compare(v1),
                "the mode is part of the content");
        FileState dir = new FileState(FileType.DIRECTORY, 0, 5, 0755, new byte[0], new byte[0]);
        assertEquals(ContentVersion.of(dir), ContentVersion.of(new FileState(FileType.DIRECTORY, 0, 9, 0755,
                new byte[0], new byte[0])), "a directory's version is its mode");
        FileState link = new FileState(FileType.SYMLINK, 0, 5, 0777, "a".getBytes(), new byte[0]);
        assertFalse(ContentVersion.of(link).equals(ContentVersion.of(new FileState(FileType.SYMLINK, 0, 5, 0777,
                "b".getBytes(), new byte[0]))), "a link's version is its target");
    }

    @Test
    void anIndexSavedWithEmptyFirstScanVectorsGetsContentVersions() {
        FileState found = file("old\n", 7, 0644);
        Index old = new Index("n1");
        old.log().restore(new IndexLog.Snapshot(42, 5, 0, Map.of(), Map.of(
                Path.of("found"), new Index.Version(found, VersionVector.empty(), "n1", 0, 5),
                Path.of("gone"), new Index.Version(null, VersionVector.empty(), "n1", System.currentTimeMillis(), 4))));
        assertEquals(ContentVersion.of(found), old.get(Path.of("found")).vector());
        assertEquals(6, old.get(Path.of("found")).sequence(), "restamped: peers are sent the new version");
        assertEquals(VersionVector.empty(), old.get(Path.of("gone")).vector(), "tombstones have no content");
    }

    @Test
    void aSubtreeIsSummedUpFromItsEntries() {
        Index v = new Index("n1");
        v.applied(Path.of("web/a"), file(10, 5), VersionVector.of("n1", 2), "n1");
        v.applied(Path.of("web/b/c"), file(7, 9), VersionVector.of("n2", 1), "n2");
        v.applied(Path.of("web/gone"), null, VersionVector.of("n3", 4), "n3");
        v.applied(Path.of("web-x/z"), file(100, 99), VersionVector.of("n9", 9), "n9");
        v.applied(Path.of("web"), new FileState(FileType.DIRECTORY, 0, 1, 0755, new byte[0], new byte[0]), VersionVector.of("n8", 8), "n8");
        ScopeState web = v.scope(Path.of("web"));
        assertEquals(VersionVector.of(Map.of("n1", 2L, "n2", 1L, "n3", 4L)), web.vector(), "tombstones count, web-x and web itself do not");
        assertEquals(9, web.latestMtimeNanos());
        assertEquals("n2", web.latestWriter());
        assertEquals(2, web.files());
        assertEquals(17, web.bytes());
    }

    @Test
    void aTakeoverDescendsFromBothSidesAndDeletesWhatOnlyTheLoserHas() {
        Index v = new Index("n1");
        v.applied(Path.of("web/a"), file(10, 5), VersionVector.of("n1", 2), "n1");
        v.applied(Path.of("web/old"), null, VersionVector.of("n1", 3), "n1");
        v.applied(Path.of("db/x"), file(1, 1), VersionVector.of("n1", 1), "n1");
        VersionVector loser = VersionVector.of(Map.of("n1", 1L, "n3", 6L));
        var entries = v.takeOver(Path.of("web"), loser, List.of(Path.of("web/b-new"), Path.of("db/not-mine")));
        VersionVector expected = VersionVector.of(Map.of("n1", 4L, "n3", 6L));
        assertEquals(List.of(Path.of("web/a"), Path.of("web/b-new"), Path.of("web/old")),
                entries.stream().map(Map.Entry::getKey).toList(), "paths outside the subtree are left alone");
        for (var e : entries) {
            assertEquals(expected, e.getValue().vector(), e.getKey().toString());
            assertTrue(e.getValue().takeover());
            assertEquals("n1", e.getValue().writer());
            assertEquals(NEWER, e.getValue().vector().compare(loser), "newer than the loser's every version");
        }
        assertEquals(10, v.get(Path.of("web/a")).state().size(), "the winner's state is kept");
        assertNull(v.get(Path.of("web/b-new")).state(), "what only the loser has is deleted");
        assertNull(v.get(Path.of("db/not-mine")));
        assertEquals(VersionVector.of("n1", 1), v.get(Path.of("db/x")).vector());
        assertFalse(v.get(Path.of("db/x")).takeover());
        v.localChange(Path.of("web/a"), file(11, 6));
        assertFalse(v.get(Path.of("web/a")).takeover(), "a later change is an ordinary one");
    }

    @Test
    void entriesBelowADirectoryComeBeforeItSoTheirTombstonesGoFirst() {
        FileState dir = new FileState(FileType.DIRECTORY, 0, 7, 0755, new byte[0], new byte[0]);
        FileState file = new FileState(FileType.FILE, 3, 7, 0644, new byte[0], new byte[32]);
        Index index = new Index("n1");
        for (String d : List.of("a", "a/b", "a/b/c")) index.localChange(Path.of(d), dir);
        index.localChange(Path.of("a/b/c/f"), file);
        index.localChange(Path.of("a/g"), file);
        List<Path> below = index.liveBelow(Path.of("a"));
        assertEquals(4, below.size());
        for (Path p : below) {
            for (Path q : below) {
                if (q.startsWith(p) && !q.equals(p)) {
                    assertTrue(below.indexOf(q) < below.indexOf(p), q + " before " + p + ": " + below);
                }
            }
        }
    }
}
