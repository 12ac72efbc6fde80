package io.jclsync.batch;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the collector had queued when a batch fell due, before the file system was consulted.
 *
 * @param changes      coalesced change per path
 * @param folded       directories to sync recursively (busy directories, rescans)
 * @param renames      rename chains, collapsed, in the order they happened
 * @param full         a full resync was requested
 * @param matured      paths that come out of the big-file queue: they have waited their turn
 * @param windowStart  when the first event of this window arrived ({@link System#nanoTime()})
 */
public record Snapshot(Map<Path, ChangeKind> changes, Set<Path> folded, List<Batch.Rename> renames,
                       boolean full, Set<Path> matured, long windowStart) {

    public boolean isEmpty() {
        return !full && changes.isEmpty() && folded.isEmpty() && renames.isEmpty();
    }
}
