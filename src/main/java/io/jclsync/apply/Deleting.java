package io.jclsync.apply;

import io.jclsync.beneath.Dir;
import io.jclsync.beneath.OpenFile;
import io.jclsync.beneath.Stat;
import io.jclsync.echo.EchoFilter;
import io.jclsync.fs.FileType;
import io.jclsync.fs.RelPath;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Removes what a peer's delete takes, for {@link LocalTree}: a file or link, or below a directory
 * what the caller lets go, each registered with the echo filter and kept as a version; a local
 * write that lands on a file as it goes puts it back.
 */
final class Deleting {
    private static final Logger LOG = Logger.getLogger(Deleting.class.getName());
    /** The tree's root handle, owned (and closed) by {@link LocalTree}. */
    private final Dir top;
    private final EchoFilter echoes;
    private final Replaced replaced;
    private final AsideCopier aside;

    Deleting(Dir top, EchoFilter echoes, Replaced replaced, AsideCopier aside) {
        this.top = top;
        this.echoes = echoes;
        this.replaced = replaced;
        this.aside = aside;
    }

    /**
     * Deletes {@code rel}: a file or link at once; below a directory, the files and the directories
     * left empty that {@code deletable} lets go, and itself if it is left empty. @return the files kept
     */
    List<RelPath> deleteBelow(RelPath rel, LocalTree.Deletable deletable) throws IOException {
        List<RelPath> kept = new ArrayList<>();
        try (Dir parent = top.parentOf(rel)) {
            byte[] name = Dir.name(rel);
            Stat st = parent.stat(name);
            if (st != null && st.type() != FileType.DIRECTORY) {
                if (!discardUnlessWritten(parent, name, rel, (r, readable, directory) -> true)) kept.add(rel);
            } else {
                deleteBelow(parent, name, rel, deletable, kept, true);
            }
        } catch (NoSuchFileException gone) {
            // deleted meanwhile
        }
        return kept;
    }

    private void deleteBelow(Dir parent, byte[] name, RelPath rel, LocalTree.Deletable deletable, List<RelPath> kept, boolean top)
            throws IOException {
        Stat st = parent.stat(name);
        if (st == null) return;
        if (st.type() != FileType.DIRECTORY) {
            if (!discardUnlessWritten(parent, name, rel, deletable)) kept.add(rel);
            return;
        }
        try (Dir dir = parent.openDir(name)) {
            for (byte[] child : dir.list()) deleteBelow(dir, child, LocalTree.child(rel, child), deletable, kept, false);
            if (dir.list().isEmpty() && (top || deletable.test(rel, parent.path(name), true))) {
                echoes.expect(rel, null);
                parent.rmdir(name);
            }
        }
    }

    /**
     * Discards the file or link {@code name} if {@code deletable} lets it go. A regular file is held
     * open from before that test to after it is gone: a local write that landed on it meanwhile
     * (after the test looked) is put back at its name, as a change made here. @return whether it went
     */
    private boolean discardUnlessWritten(Dir parent, byte[] name, RelPath rel, LocalTree.Deletable deletable) throws IOException {
        Stat seen = parent.stat(name);
        try (OpenFile held = seen != null && seen.type() == FileType.FILE ? LocalTree.openOrNull(parent, name) : null) {
            if (!deletable.test(rel, parent.path(name), false)) return false;
            echoes.expect(rel, null);
            replaced.discard(parent, name, rel);
            if (held == null) return true;
            Stat now = held.stat();
            if (!LocalTree.writtenSince(seen, now)) return true;
            LOG.warning(rel + " was written here while a peer's delete removed it: put back");
            aside.copyOpen(held, rel, now.mode(), now.mtimeNanos());
            return false;
        }
    }
}
