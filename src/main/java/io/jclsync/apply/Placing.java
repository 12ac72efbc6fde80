package io.jclsync.apply;

import io.jclsync.beneath.Dir;
import io.jclsync.beneath.NotBeneathException;
import io.jclsync.beneath.OpenFile;
import io.jclsync.beneath.Stat;
import io.jclsync.echo.EchoFilter;
import io.jclsync.fs.FileType;
import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import java.io.IOException;
import java.nio.file.NoSuchFileException;

/**
 * Puts a pulled file in place for {@link LocalTree}: the staged file checked against its
 * announcement, the path decided on as the tree is now, what it replaces kept as a version, the
 * rename registered with the echo filter, and a local write that landed on the replaced file
 * meanwhile kept beside it.
 */
final class Placing {
    private final LocalTree tree;
    /** The tree's root handle, owned (and closed) by {@link LocalTree}. */
    private final Dir top;
    private final EchoFilter echoes;
    private final Replaced replaced;
    private final AsideCopier aside;

    Placing(LocalTree tree, Dir top, EchoFilter echoes, Replaced replaced, AsideCopier aside) {
        this.tree = tree;
        this.top = top;
        this.echoes = echoes;
        this.replaced = replaced;
        this.aside = aside;
    }

    /**
     * Places a pulled file: checks it against {@code want} (size and sha256, through its open
     * descriptor), stamps mode and mtime on it, then renames it to {@code rel}, whose directory is
     * resolved (and made) now, right before the rename. The file it replaces is held open from
     * before the decision to after the rename: a local write that landed on it after the decision
     * looked (a process appending to it as the rename ran) is not lost with the old name, but kept
     * as a copy of this node's beside the path ({@link LocalTree.Decide#lateWrite}).
     *
     * @param decide told the state at {@code rel} now; returns where the file goes: {@code rel},
     *               another path (a conflict copy) or null to drop it
     * @return where the file went and its inode, or null if it was not placed
     */
    LocalTree.Placed place(Dir staged, RelPath stagedAs, FileState want, LocalTree.Decide decide) throws IOException {
        try (Dir from = staged.parentOf(stagedAs); OpenFile replacing = openFileAt(decide.path())) {
            byte[] stagedName = Dir.name(stagedAs);
            if (!Staging.stampIfAnnounced(from, stagedName, want, LocalTree.safeMode(want))) return null;
            Stat seen = replacing == null ? null : replacing.stat();
            RelPath at = decide.where(tree);
            if (at == null) return null;
            try (Dir to = tree.parentMade(at)) {
                byte[] name = Dir.name(at);
                Stat there = to.stat(name);
                if (there != null && there.type() == FileType.DIRECTORY) {
                    echoes.expect(at, null);
                    replaced.discard(to, name, at);
                } else if (there != null) {
                    replaced.keepCopy(to, name, at, there);
                }
                // The peer's version, or a copy the applier announces itself: no change for the watcher.
                echoes.expect(at, want);
                from.rename(stagedName, to, name);
                Stat placed = to.stat(name);
                RelPath late = null;
                if (seen != null && at.equals(decide.path())) {
                    Stat now = replacing.stat();
                    if (LocalTree.writtenSince(seen, now)) {
                        late = decide.lateWrite(now.mtimeNanos(), replacing.sha256());
                        aside.copyOpen(replacing, late, now.mode(), now.mtimeNanos());
                    }
                }
                return new LocalTree.Placed(at, placed == null ? 0 : placed.inode(), late);
            }
        } catch (NoSuchFileException vanished) {
            return null; // not served (gone at the origin)
        }
    }

    /** The regular file at {@code rel}, opened through its directory's handle; null if there is none. */
    private OpenFile openFileAt(RelPath rel) throws IOException {
        try (Dir parent = top.parentOf(rel)) {
            Stat st = parent.stat(Dir.name(rel));
            return st == null || st.type() != FileType.FILE ? null : LocalTree.openOrNull(parent, Dir.name(rel));
        } catch (NoSuchFileException | NotBeneathException missing) {
            return null; // no directory there (yet), or not one to read through: nothing is replaced
        }
    }
}
