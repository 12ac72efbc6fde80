package io.jclsync.config;

/** What to do with file systems mounted inside the watched tree. */
public enum Mounts {
    /** Watch and sync through them (the default). */
    CROSS,
    /** {@code --one-file-system}: leave out mount points of other file systems. */
    ONE_FILE_SYSTEM,
    /** {@code --exclude-mount-points}: leave out every mount point, bind mounts too. */
    EXCLUDE_ALL
}
