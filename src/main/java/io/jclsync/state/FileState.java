package io.jclsync.state;

import io.jclsync.fs.FileType;

/**
 * The state of one entry as a node announces it: type, size, mtime in nanoseconds, permission
 * bits, symlink target (raw bytes, empty unless a symlink) and sha256 of a regular file's content
 * (empty otherwise).
 */
public record FileState(FileType type, long size, long mtimeNanos, int mode, byte[] linkTarget, byte[] sha256) {
    public FileState {
        linkTarget = linkTarget.clone();
        sha256 = sha256.clone();
    }
}
