package io.jclsync.conflict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.fs.FileType;
import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import io.jclsync.state.Index;
import io.jclsync.state.VersionVector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every branch of what a peer's delete takes here and what it leaves, without a file or a node. */
class PeerDeleteTest {
    private static final RelPath DIR = rel("d");
    private static final FileState FILE = file("a", 5);
    private static final FileState DIRECTORY = new FileState(FileType.DIRECTORY, 0, 1, 0755, new byte[0], new byte[0]);

    private static RelPath rel(String p) {
        return RelPath.of(Path.of(p));
    }

    private static FileState file(String content, long mtime) {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        byte[] hash = new byte[32];
        hash[0] = b[0];
        return new FileState(FileType.FILE, b.length, mtime, 0644, new byte[0], hash);
    }

    private static Index.Version indexed(FileState s, VersionVector v) {
        return new Index.Version(s, v, "n1", 0, 1);
    }

    private static final VersionVector V1 = VersionVector.of("n1", 1);
    private static final VersionVector V2 = VersionVector.of("n1", 2);
    private static final VersionVector OTHER = VersionVector.of("n3", 1);

    @Test
    void theDeletedPathIsJudgedByTheDeleteItselfAndWhatIsBelowByItsOwnTombstone() {
        Map<RelPath, VersionVector> tombstones = Map.of(rel("d/f"), V1);
        assertEquals(V2, PeerDelete.tombstoneOf(DIR, DIR, V2, tombstones));
        assertEquals(V1, PeerDelete.tombstoneOf(rel("d/f"), DIR, V2, tombstones));
        assertNull(PeerDelete.tombstoneOf(rel("d/g"), DIR, V2, tombstones), "never seen by the deleter");
    }

    @Test
    void aFileTheDeleterHadAndThatDidNotChangeHereGoes() {
        assertTrue(PeerDelete.goes(false, FILE, indexed(FILE, V1), V1));
        assertTrue(PeerDelete.goes(false, FILE, indexed(FILE, V1), V2), "its tombstone is newer");
    }

    @Test
    void aFileNotIndexedHereStays() {
        assertFalse(PeerDelete.goes(false, FILE, null, V1));
    }

    @Test
    void aFileTheDeleterNeverSawStays() {
        assertFalse(PeerDelete.goes(false, FILE, indexed(FILE, V1), null));
    }

    @Test
    void aFileChangedHereSinceItWasIndexedStays() {
        assertFalse(PeerDelete.goes(false, file("b", 6), indexed(FILE, V1), V1));
    }

    @Test
    void aFileWhoseVersionHereTheTombstoneDoesNotCoverStays() {
        assertFalse(PeerDelete.goes(false, FILE, indexed(FILE, V2), V1), "older tombstone");
        assertFalse(PeerDelete.goes(false, FILE, indexed(FILE, V1), OTHER), "concurrent tombstone");
    }

    @Test
    void anEmptyDirectoryNotIndexedOrDeletedInTheIndexGoes() {
        assertTrue(PeerDelete.goes(true, null, null, null));
        assertTrue(PeerDelete.goes(true, null, indexed(null, V2), null));
    }

    @Test
    void anEmptyDirectoryTheDeleterHadGoes() {
        assertTrue(PeerDelete.goes(true, null, indexed(DIRECTORY, V1), V1));
    }

    @Test
    void anEmptyDirectoryTheDeleterNeverSawOrSawOlderStays() {
        assertFalse(PeerDelete.goes(true, null, indexed(DIRECTORY, V1), null));
        assertFalse(PeerDelete.goes(true, null, indexed(DIRECTORY, V2), V1));
    }

    @Test
    void whatGoesIsDeletedWithBothVersionsMerged() {
        assertEquals(VersionVector.of(Map.of("n1", 2L, "n3", 1L)), PeerDelete.deletedVersion(indexed(FILE, V2), OTHER));
    }

    @Test
    void whatStaysIsAnnouncedAgainstTheDeletersVersionOrNone() {
        assertEquals(V1, PeerDelete.keptAgainst(V1));
        assertEquals(VersionVector.empty(), PeerDelete.keptAgainst(null));
    }

    @Test
    void theDirectoriesLeadingToAKeptEntryStayUpToTheDeletedOne() {
        List<RelPath> kept = List.of(rel("d/a/b/f"), rel("e/x"), rel("d/g"), rel("dd/y"));
        assertEquals(List.of(rel("d/a/b"), rel("d/a"), rel("d"), rel("d")), PeerDelete.directoriesLeadingTo(DIR, kept));
        assertEquals(List.of(), PeerDelete.directoriesLeadingTo(DIR, List.of(rel("e/x"))));
    }

    @Test
    void aKeptPathIsAnnouncedNewerThanTheDelete() {
        assertEquals(VersionVector.of(Map.of("n1", 1L, "n3", 1L)), PeerDelete.keptVersion(indexed(FILE, V1), OTHER));
        assertEquals(OTHER, PeerDelete.keptVersion(null, OTHER));
    }
}
