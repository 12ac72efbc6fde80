package io.jclsync.replica;

import io.jclsync.cluster.wire.IndexCodec;
import io.jclsync.cluster.wire.IndexJournal;
import io.jclsync.cluster.wire.WireException;
import io.jclsync.state.Index;
import io.jclsync.state.IndexLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * The index on disk: {@code STATE_DIR/index}, saved whole (fsync + rename) when it changed, and
 * the journal of every change between two saves, replayed over it at start, so a node killed
 * between two saves keeps what it applied.
 */
final class IndexFiles implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(IndexFiles.class.getName());

    private final Index index;
    private final Path file;
    private final IndexJournal journal;

    private IndexFiles(Index index, Path file, IndexJournal journal) {
        this.index = index;
        this.file = file;
        this.journal = journal;
    }

    /** Loads {@code index} from {@code stateDir} (saved index, then journal) and journals its changes from now on. */
    static IndexFiles open(Path stateDir, Index index) throws IOException {
        Path file = stateDir.resolve("index");
        try {
            if (Files.exists(file)) index.log().restore(IndexCodec.read(file));
            IndexJournal journal = IndexJournal.open(stateDir, index);
            index.log().journal(journal);
            return new IndexFiles(index, file, journal);
        } catch (WireException e) {
            throw new IOException("the index " + file + " is damaged (" + e.getMessage() + "); move it "
                    + "away to start over: the node then compares its whole tree with its peers as a new node would");
        }
    }

    /** Saves the index if it changed since the last save (then the journal starts again). */
    void save() {
        try {
            IndexLog.Snapshot snapshot = index.log().snapshotIfDirty();
            if (snapshot != null) {
                IndexCodec.write(file, snapshot);
                journal.snapshotSaved();
            }
        } catch (IOException | RuntimeException e) {
            LOG.warning("cannot save the index " + file + ": " + e);
        }
    }

    /** Saves what changed and closes the journal. */
    @Override
    public void close() {
        save();
        journal.close();
    }
}
