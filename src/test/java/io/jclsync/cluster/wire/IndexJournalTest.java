package io.jclsync.cluster.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jclsync.fs.FileType;
import io.jclsync.state.FileState;
import io.jclsync.state.Index;
import io.jclsync.state.IndexLog;
import io.jclsync.state.VersionVector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Found by the chaos checker: a node killed a few seconds after it applied peers' changes lost
 * them from its index (saved every 5 s), took the files for its own changes at restart and
 * resurrected what peers had deleted since. The journal keeps every change between two saves.
 */
class IndexJournalTest {
    @TempDir
    Path state;

    private static FileState file(int size) {
        return new FileState(FileType.FILE, size, 7, 0644, new byte[0], new byte[32]);
    }

    private IndexJournal journaled(Index index) throws Exception {
        IndexJournal journal = IndexJournal.open(state, index);
        index.log().journal(journal);
        return journal;
    }

    private Index restarted() throws Exception {
        Index index = new Index("n1");
        index.log().restore(IndexCodec.read(state.resolve("index")));
        return index;
    }

    @Test
    void changesAfterTheLastSaveComeBackAfterAKill() throws Exception {
        Index index = new Index("n1");
        IndexJournal journal = journaled(index);
        index.applied(Path.of("a"), file(1), VersionVector.of("n2", 1), "n2");
        IndexLog.Snapshot saved = index.log().snapshotIfDirty();
        IndexCodec.write(state.resolve("index"), saved);
        journal.snapshotSaved();
        index.applied(Path.of("a"), file(2), VersionVector.of("n2", 2), "n2");
        index.applied(Path.of("b"), file(3), VersionVector.of("n3", 1), "n3");
        index.localChange(Path.of("a"), null);
        // killed here: no close, no save

        Index restarted = restarted();
        IndexJournal again = IndexJournal.open(state, restarted);
        assertNull(restarted.get(Path.of("a")).state(), "a's delete after the save is back");
        assertEquals(VersionVector.of(Map.of("n2", 2L, "n1", 1L)), restarted.get(Path.of("a")).vector());
        assertEquals(file(3).size(), restarted.get(Path.of("b")).state().size());
        assertEquals(index.log().sequence(), restarted.log().sequence());
        again.close();
    }

    @Test
    void aJournalTheSavedIndexCoversChangesNothingAndIsDeleted() throws Exception {
        Index index = new Index("n1");
        IndexJournal journal = journaled(index);
        index.applied(Path.of("a"), file(1), VersionVector.of("n2", 1), "n2");
        index.applied(Path.of("a"), file(2), VersionVector.of("n2", 2), "n2");
        IndexCodec.write(state.resolve("index"), index.log().snapshotIfDirty());
        // killed before the old journal was deleted: replaying it must not take a back to n2:1
        Index restarted = restarted();
        IndexJournal.open(state, restarted).close();
        assertEquals(VersionVector.of("n2", 2), restarted.get(Path.of("a")).vector());

        journal.snapshotSaved();
        assertEquals(false, Files.exists(state.resolve("index.journal.1")), "the journal the saved index covers is gone");
        assertEquals(true, Files.exists(state.resolve("index.journal.2")), "the one after the snapshot stays");
    }
}
