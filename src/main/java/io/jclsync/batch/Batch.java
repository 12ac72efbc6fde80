package io.jclsync.batch;

import io.jclsync.fs.FileType;
import java.nio.file.Path;
import java.util.List;

/**
 * One unit of work for a transfer.
 *
 * @param renames renames to apply first where the destination allows it (in order); the entries
 *                below still describe the end state, so a transfer may ignore renames
 * @param entries what to sync, sorted, with no entry below another entry that is a directory
 *                (an existing directory entry is synced recursively, a missing one deleted)
 * @param full    sync the whole tree (initial sync, overflow, SIGUSR1); entries are then empty
 */
public record Batch(List<Rename> renames, List<Entry> entries, boolean full) {

    public record Rename(Path from, Path to) {}

    /**
     * @param path relative to the watch dir
     * @param kind the coalesced change
     * @param type the type found when the batch was built, or null if the path no longer exists
     * @param size its size in bytes (0 if missing)
     */
    public record Entry(Path path, ChangeKind kind, FileType type, long size) {
        public boolean exists() {
            return type != null;
        }

        public boolean isDirectory() {
            return type == FileType.DIRECTORY;
        }
    }

    public Batch {
        renames = List.copyOf(renames);
        entries = List.copyOf(entries);
    }

    public static Batch fullSync() {
        return new Batch(List.of(), List.of(), true);
    }

    public boolean isEmpty() {
        return !full && entries.isEmpty() && renames.isEmpty();
    }

    public long bytes() {
        return entries.stream().mapToLong(Entry::size).sum();
    }
}
