package io.jclsync.conflict;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jclsync.fs.FileType;
import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import io.jclsync.state.Index;
import io.jclsync.state.VersionVector;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every branch of whether a peer's rename moves what is at the old path here, without a file or a node. */
class PeerRenameTest {
    private static final PeerRename MOVES = new PeerRename(true, null);
    private static final PeerRename STAYS = new PeerRename(false, null);
    private static final VersionVector V1 = VersionVector.of("n1", 1);
    private static final VersionVector V2 = VersionVector.of("n1", 2);

    private static FileState file(int content, long mtime) {
        byte[] hash = new byte[32];
        hash[0] = (byte) content;
        return new FileState(FileType.FILE, 1, mtime, 0644, new byte[0], hash);
    }

    private static FileState dir(int mode) {
        return new FileState(FileType.DIRECTORY, 0, 1, mode, new byte[0], new byte[0]);
    }

    private static Index.Version indexed(FileState s, VersionVector v) {
        return new Index.Version(s, v, "n1", 0, 1);
    }

    private static RelPath rel(String p) {
        return RelPath.of(Path.of(p));
    }

    @Test
    void nothingAtTheOldPathMovesNothing() {
        assertEquals(STAYS, PeerRename.of(rel("f"), null, indexed(file(1, 5), V1), file(1, 5), Map.of(), Map.of()));
    }

    @Test
    void aFileWithTheRenamedContentMovesWhateverItsMtimeOrIndexEntry() {
        assertEquals(MOVES, PeerRename.of(rel("f"), file(1, 5), null, file(1, 9), Map.of(), Map.of()));
    }

    @Test
    void aVersionTheOriginsDeleteOfTheOldPathDoesNotCoverStaysWhateverItsContent() {
        VersionVector concurrent = VersionVector.of("n3", 1).merge(V1);
        assertEquals(STAYS, PeerRename.of(rel("f"), file(1, 5), indexed(file(1, 5), concurrent), file(1, 5), Map.of(),
                Map.of(rel("f"), V2)));
        assertEquals(STAYS, PeerRename.of(rel("d"), dir(0755), indexed(dir(0755), concurrent), dir(0755), Map.of(),
                Map.of(rel("d"), V2)));
        assertEquals(MOVES, PeerRename.of(rel("f"), file(1, 5), indexed(file(1, 5), V1), file(1, 5), Map.of(),
                Map.of(rel("f"), V2)), "covered");
    }

    /**
     * Chaos cluster seed 2119: n2 renamed f away, and by the time it announced the rename a peer's
     * version had been placed at f again, so its batch held no delete of f. n3 moved its f (the
     * renamed content) all the same; its index kept f live with nothing at that name, and the
     * versions of f that n2 and n1 then had (older than that entry) never came back to n3.
     */
    @Test
    void anIndexedVersionStaysWhenTheBatchDeletesNothingAtTheOldPath() {
        assertEquals(STAYS, PeerRename.of(rel("f"), file(1, 5), indexed(file(1, 5), V1), file(1, 5), Map.of(), Map.of()));
        assertEquals(STAYS, PeerRename.of(rel("d"), dir(0755), indexed(dir(0755), V1), dir(0755), Map.of(), Map.of()));
    }

    @Test
    void aFileRewrittenHereStays() {
        assertEquals(STAYS, PeerRename.of(rel("f"), file(2, 5), indexed(file(1, 5), V1), file(1, 5), Map.of(), Map.of()));
    }

    @Test
    void aDirectoryNotIndexedOrChangedSinceItWasStays() {
        assertEquals(STAYS, PeerRename.of(rel("d"), dir(0755), null, dir(0755), Map.of(), Map.of()));
        assertEquals(STAYS, PeerRename.of(rel("d"), dir(0700), indexed(dir(0755), V1), dir(0755), Map.of(), Map.of()));
    }

    @Test
    void aDirectoryWhoseEntriesTheOriginRenamedWithItMoves() {
        Map<Path, Index.Version> below = Map.of(
                Path.of("d/f"), indexed(file(1, 5), V1),
                Path.of("d/gone"), indexed(null, V2)); // deleted here: not the rename's business
        assertEquals(MOVES, PeerRename.of(rel("d"), dir(0755), indexed(dir(0755), V1), dir(0755), below,
                Map.of(rel("d/f"), V2, rel("d"), V2)));
        assertEquals(MOVES, PeerRename.of(rel("d"), dir(0755), indexed(dir(0755), V1), dir(0755), Map.of(),
                Map.of(rel("d"), V2)), "empty");
    }

    @Test
    void aDirectoryWithAnEntryTheOriginDidNotKnowStaysAndNamesIt() {
        Map<Path, Index.Version> below = Map.of(Path.of("d/new"), indexed(file(1, 5), V1));
        assertEquals(new PeerRename(false, Path.of("d/new")),
                PeerRename.of(rel("d"), dir(0755), indexed(dir(0755), V1), dir(0755), below, Map.of(rel("d"), V2)));
    }

    @Test
    void aDirectoryWithAnEntryChangedConcurrentlyStaysAndNamesIt() {
        Map<Path, Index.Version> below = Map.of(Path.of("d/f"), indexed(file(1, 5), V2));
        assertEquals(new PeerRename(false, Path.of("d/f")),
                PeerRename.of(rel("d"), dir(0755), indexed(dir(0755), V1), dir(0755), below,
                        Map.of(rel("d/f"), V1, rel("d"), V2)));
    }
}
