package io.jclsync.apply;

import io.jclsync.beneath.Dir;
import io.jclsync.beneath.OpenFile;
import io.jclsync.beneath.Stat;
import io.jclsync.conflict.SubtreeConflicts;
import io.jclsync.conflict.SubtreeConflicts.Copied;
import io.jclsync.fs.FileType;
import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;

/**
 * Copies of what is here kept under another name in the tree: a conflict's losing file or link,
 * and a subtree the other side takes over; and a file copied over itself, to give one name of a
 * hard link an inode of its own. Each is built in the staging dir through handles (read
 * from an open descriptor, never through a link) and renamed into place whole, so no half copy
 * ever appears at its name. The copies are this node's new files, not a peer's versions: the
 * applier announces them itself, and {@link LocalTree} makes the directories they go in.
 */
public final class AsideCopier implements SubtreeConflicts.TreeCopier {
    /** Makes (and registers with the echo filter) the directories a copy needs: see {@link LocalTree#parentMade}. */
    private final LocalTree tree;
    /** The tree's root handle, owned (and closed) by {@link LocalTree}. */
    private final Dir top;

    AsideCopier(LocalTree tree, Dir top) {
        this.tree = tree;
        this.top = top;
    }

    /**
     * Keeps a copy of the file or symlink at {@code rel} as {@code aside} (a conflict's loser): a
     * copy, not a rename, announced from here as a new file. The file is read through its open
     * descriptor and copied into the staging dir before it is renamed into place.
     */
    void copyAside(RelPath rel, RelPath aside, FileState local) throws IOException {
        if (local.type() == FileType.SYMLINK) {
            try (Dir parent = tree.parentMade(aside)) {
                parent.symlink(local.linkTarget(), Dir.name(aside));
            }
            return;
        }
        if (local.type() != FileType.FILE) return;
        byte[] tmp = bytes("conflict-" + System.nanoTime());
        try (Dir staging = Staging.open(top); Dir from = top.parentOf(rel)) {
            try {
                from.copyFile(Dir.name(rel), staging, tmp, local.mode(), local.mtimeNanos());
                try (Dir to = tree.parentMade(aside)) {
                    staging.rename(tmp, to, Dir.name(aside));
                }
            } finally {
                staging.unlink(tmp); // left only if it was not renamed
            }
        }
    }

    /**
     * Keeps what the open file {@code from} holds (no longer in the tree: a rename replaced it) as
     * {@code aside}, with {@code mode} and {@code mtimeNanos}: copied into the staging dir, then
     * renamed into place, never over something there.
     */
    void copyOpen(OpenFile from, RelPath aside, int mode, long mtimeNanos) throws IOException {
        byte[] tmp = bytes("late-" + System.nanoTime());
        try (Dir staging = Staging.open(top)) {
            try {
                from.copyTo(staging, tmp, mode, mtimeNanos);
                try (Dir to = tree.parentMade(aside)) {
                    staging.renameNoReplace(tmp, to, Dir.name(aside));
                }
            } finally {
                staging.unlink(tmp); // left only if it was not renamed
            }
        }
    }

    /**
     * Replaces file {@code name} in {@code parent} with a copy of it that has {@code mode} and
     * {@code mtimeNanos}: the other names of its inode (a hard link) keep theirs.
     */
    void ownInode(Dir parent, byte[] name, int mode, long mtimeNanos) throws IOException {
        byte[] tmp = bytes("unlinked-" + System.nanoTime());
        try (Dir staging = Staging.open(top)) {
            try {
                parent.copyFile(name, staging, tmp, mode, mtimeNanos);
                staging.rename(tmp, parent, name);
            } finally {
                staging.unlink(tmp); // left only if it was not renamed
            }
        }
    }

    /**
     * Copies directory {@code from} (files, links and directories, with modes and mtimes) to
     * {@code to}, which must not exist: built in the staging dir, then renamed into place whole.
     */
    @Override
    public Copied copyTreeAside(RelPath from, RelPath to) throws IOException {
        try (Dir parent = top.parentOf(from)) {
            Stat st = parent.stat(Dir.name(from));
            if (st == null || st.type() != FileType.DIRECTORY) return Copied.NOT_A_DIRECTORY;
        } catch (NoSuchFileException gone) {
            return Copied.NOT_A_DIRECTORY;
        }
        try (Dir dest = top.parentOf(to)) {
            if (dest.stat(Dir.name(to)) != null) return Copied.EXISTS;
        } catch (NoSuchFileException noParentYet) {
            // made below
        }
        byte[] tmp = bytes("subtree-" + System.nanoTime());
        try (Dir staging = Staging.open(top); Dir source = top.dir(from)) {
            staging.mkdir(tmp, Staging.PRIVATE_DIR);
            try {
                copyInto(source, staging, tmp);
                try (Dir dest = tree.parentMade(to)) {
                    if (dest.stat(Dir.name(to)) != null) return Copied.EXISTS;
                    staging.rename(tmp, dest, Dir.name(to));
                }
                return Copied.COPIED;
            } finally {
                staging.deleteTree(tmp); // left only if it was not renamed
            }
        }
    }

    /** Copies the directory {@code source} as {@code name} in {@code into} (which must not have it). */
    private static void copyInto(Dir source, Dir into, byte[] name) throws IOException {
        Stat self = source.stat(new byte[] {'.'});
        if (into.stat(name) == null) into.mkdir(name, Staging.PRIVATE_DIR);
        try (Dir dest = into.openDir(name)) {
            for (byte[] child : source.list()) {
                Stat st = source.stat(child);
                if (st == null) continue;
                switch (st.type()) {
                    case DIRECTORY -> {
                        try (Dir sub = source.openDir(child)) {
                            copyInto(sub, dest, child);
                        }
                    }
                    case SYMLINK -> source.copyLink(child, dest, child);
                    case FILE -> source.copyFile(child, dest, child, st.mode(), st.mtimeNanos());
                    default -> { }
                }
            }
        }
        into.chmod(name, self.mode());
        into.setMtime(name, self.mtimeNanos());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
