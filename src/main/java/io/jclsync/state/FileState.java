package io.jclsync.state;

import io.jclsync.fs.FileType;

/**
 * The state of one entry as a node announces it: type, size, mtime in nanoseconds, permission
 * bits, symlink target (raw bytes, empty unless a symlink) and sha256 of a regular file's content
 * (empty otherwise). {@code inode} is local only (0: unknown, as in a peer's announcement): with
 * size and mtime it tells whether a known hash still holds. It never makes two states differ.
 */
public record FileState(FileType type, long size, long mtimeNanos, int mode, byte[] linkTarget, byte[] sha256,
                        long inode) {
    private static final byte[] NONE = new byte[0];

    public FileState {
        // Most entries have no link target, and directories and links no hash: one shared empty
        // array for those (an index holds a state per entry, and an empty array costs 16 bytes).
        linkTarget = linkTarget.length == 0 ? NONE : linkTarget.clone();
        sha256 = sha256.length == 0 ? NONE : sha256.clone();
    }

    public FileState(FileType type, long size, long mtimeNanos, int mode, byte[] linkTarget, byte[] sha256) {
        this(type, size, mtimeNanos, mode, linkTarget, sha256, 0);
    }

    /** This state as found at inode {@code ino}. */
    public FileState withInode(long ino) {
        return new FileState(type, size, mtimeNanos, mode, linkTarget, sha256, ino);
    }
}
