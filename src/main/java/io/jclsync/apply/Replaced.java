package io.jclsync.apply;

import io.jclsync.beneath.Dir;
import io.jclsync.beneath.Stat;
import io.jclsync.fs.FileType;
import io.jclsync.fs.PathBytes;
import io.jclsync.fs.RelPath;
import io.jclsync.versions.VersionStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Path;
import java.util.logging.Logger;
import java.util.UUID;

/**
 * What a peer's change replaces or deletes in the tree: kept in the versions store (renamed or
 * hard-linked there by handles, else copied), or removed when there is no store. Used by
 * {@link LocalTree} alone, on handles it resolved, as part of its writes.
 */
final class Replaced {
    private static final Logger LOG = Logger.getLogger(Replaced.class.getName());
    /** Where what a peer's change replaces or deletes is kept; null: nowhere. */
    private final VersionStore versions;

    Replaced(VersionStore versions) {
        this.versions = versions;
    }

    /**
     * Removes {@code name} (at {@code rel}) from {@code parent}: a file or link moves into the
     * versions store (a rename on the same file system, else a copy), a directory's entries one by
     * one (through handles, never following a link) before it goes. With no store, or a store
     * that cannot take it (a full disk), it is deleted all the same, with a warning: the peer's
     * change is applied whatever happens to the version.
     */
    void discard(Dir parent, byte[] name, RelPath rel) throws IOException {
        Stat st = parent.stat(name);
        if (st == null) return;
        if (st.type() == FileType.DIRECTORY) {
            try (Dir dir = parent.openDir(name)) {
                for (byte[] child : dir.list()) discard(dir, child, LocalTree.child(rel, child));
            }
            parent.rmdir(name);
            return;
        }
        if (versions != null && (st.type() == FileType.FILE || st.type() == FileType.SYMLINK)) {
            try {
                keep(parent, name, rel, st, true);
                return;
            } catch (IOException e) {
                LOG.warning("the old version of " + rel + " is not kept: " + e.getMessage() + "; the peer's change is applied all the same");
            }
        }
        parent.unlink(name);
    }

    /** Keeps the file or link at {@code name}, which a rename is about to replace, as a version (a hard link where it can). */
    void keepCopy(Dir parent, byte[] name, RelPath rel, Stat st) {
        if (versions == null || (st.type() != FileType.FILE && st.type() != FileType.SYMLINK)) return;
        try {
            keep(parent, name, rel, st, false);
        } catch (IOException e) {
            LOG.warning("the old version of " + rel + " is not kept: " + e.getMessage() + "; the peer's version replaces it all the same");
        }
    }

    /**
     * Puts the file or link {@code name} (at {@code rel}) into the versions store, by handles only:
     * renamed ({@code move}) or hard-linked there when the store is on the tree's file system;
     * else copied from its open descriptor (a link: made again) through the store's tmp dir, and,
     * when moving, unlinked after. What is kept is always the entry the handle's directory holds.
     */
    private void keep(Dir parent, byte[] name, RelPath rel, Stat st, boolean move) throws IOException {
        Path slot = versions.reserve(rel);
        byte[] slotName = PathBytes.of(slot.getFileName());
        try (Dir store = Dir.root(slot.getParent())) {
            try {
                if (move) parent.renameNoReplace(name, store, slotName);
                else parent.link(name, store, slotName);
            } catch (AtomicMoveNotSupportedException otherFileSystem) {
                try (Dir tmp = Dir.root(versions.tmpDir())) {
                    byte[] part = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);
                    try {
                        if (st.type() == FileType.SYMLINK) parent.copyLink(name, tmp, part);
                        else parent.copyFile(name, tmp, part, st.mode(), st.mtimeNanos());
                        tmp.renameNoReplace(part, store, slotName);
                    } finally {
                        tmp.unlink(part); // left only if it was not renamed
                    }
                }
                if (move) parent.unlink(name);
            }
        }
        versions.kept(rel);
    }
}
