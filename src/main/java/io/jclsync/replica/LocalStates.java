package io.jclsync.replica;

import io.jclsync.echo.EchoFilter;
import io.jclsync.fs.FileType;
import io.jclsync.state.FileState;
import io.jclsync.state.FileStates;
import io.jclsync.state.Index;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * A local path's state as the announcer reads it: hashed now, reusing a known hash when size,
 * mtime and inode match (what a peer just wrote here, or what the index holds), and an entry this
 * node may not read told apart from one that is gone.
 */
final class LocalStates {
    private static final Logger LOG = Logger.getLogger(LocalStates.class.getName());

    private final Path root;
    private final EchoFilter echoes;
    private final Index versions;

    LocalStates(Path root, EchoFilter echoes, Index versions) {
        this.root = root;
        this.echoes = echoes;
        this.versions = versions;
    }

    /** What {@link #readable} gives for an entry this node may not read: it is not announced. */
    static final FileState UNREADABLE = new FileState(FileType.SPECIAL, 0, 0, 0, new byte[0], new byte[0]);

    /**
     * The state of {@code rel} (null: gone), or {@link #UNREADABLE} when this node may not read it
     * (a file another user made 0600, as a node that does not run as root meets): it is logged and
     * left out of this batch, never taken for deleted, and it does not fail the batch. Its next
     * change, or the next scan, announces it once it can be read.
     */
    FileState readable(Path rel, FileState known) throws IOException {
        try {
            return FileStates.of(root.resolve(rel), known);
        } catch (AccessDeniedException e) {
            LOG.warning("not announcing " + rel + ": this node may not read it (" + e.getMessage() + ")");
            return UNREADABLE;
        }
    }

    /** A known state whose hash may be reused: what a peer just wrote here, or what we indexed. */
    FileState hint(Path rel) {
        FileState expected = echoes.expected(rel);
        if (expected != null) return expected;
        Index.Version known = versions.get(rel);
        return known == null ? null : known.state();
    }
}
