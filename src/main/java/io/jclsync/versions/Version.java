package io.jclsync.versions;

import io.jclsync.fs.RelPath;
import java.nio.file.Path;
import java.time.Instant;

/**
 * One kept version.
 *
 * @param path the path it had in the tree
 * @param time when it was kept (replaced or deleted), to the millisecond, UTC
 * @param size its size in bytes (a symlink's: its target's length)
 * @param file where it is in the store
 */
public record Version(RelPath path, Instant time, long size, Path file) {
}
