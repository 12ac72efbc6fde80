package io.jclsync.sync;

import io.jclsync.batch.Batch;
import io.jclsync.filter.Filter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@code rsyncdirect} mode: one rsync per batch. The batch's existing paths go in a
 * NUL-separated {@code --files-from} list; a listed directory is synced recursively, with
 * {@code --delete} inside it.
 *
 * <p>Paths that no longer exist at the source are removed before that: at a local destination in
 * Java ({@link LocalDeleter}); at a remote one by a second rsync limited by include rules to those
 * paths. rsync's own {@code --delete-missing-args} would do it in one call, but rsync 3.2.7 as
 * shipped by Debian 12 aborts with "invalid file mode 00" on any missing argument, so it is not
 * used. Renames are applied first when the destination is local.
 */
public final class RsyncTransfer implements Transfer {
    private final Path root;
    private final Destination destination;
    private final String rsync;
    private final Supplier<Filter> filter;
    private volatile java.util.function.Consumer<String> progress;
    private final ListsDir lists;
    private final Duration timeout;
    private final ExitCodePolicy policy;

    public RsyncTransfer(Path root, Destination destination, String rsync, Supplier<Filter> filter,
                         ListsDir lists, Duration timeout, ExitCodePolicy policy) {
        this.root = root;
        this.destination = destination;
        this.rsync = rsync;
        this.filter = filter;
        this.lists = lists;
        this.timeout = timeout;
        this.policy = policy;
    }

    @Override
    public TransferResult run(Batch batch) throws InterruptedException {
        int renamed = destination.isLocal() ? LocalRenamer.apply(destination.localDir(), batch.renames()) : 0;
        if (batch.full()) return copy(List.of(), List.of(Path.of("")), true, renamed);
        List<Path> present = new ArrayList<>();
        List<Path> recursive = new ArrayList<>();
        List<Path> missing = new ArrayList<>();
        for (Batch.Entry e : batch.entries()) {
            if (!e.exists()) {
                missing.add(e.path());
                continue;
            }
            present.add(e.path());
            if (e.isDirectory()) recursive.add(e.path());
        }
        if (!missing.isEmpty()) {
            TransferResult deleted = delete(missing, renamed);
            if (deleted.outcome() != Outcome.OK || present.isEmpty()) return deleted;
        }
        if (present.isEmpty()) return TransferResult.ok(0, 0, renamed);
        return copy(present, recursive, false, renamed);
    }

    private TransferResult delete(List<Path> missing, int renamed) throws InterruptedException {
        if (destination.isLocal()) {
            try {
                LocalDeleter.apply(root, destination.localDir(), missing);
                return TransferResult.ok(0, 0, renamed);
            } catch (IOException e) {
                return new TransferResult(Outcome.RETRY, -1, 0, 0, renamed, "cannot delete at the destination: " + e);
            }
        }
        Path includes = lists.next(".delete");
        try {
            ListFile.writeIncludes(includes, missing);
            // --existing + --ignore-existing: transfer nothing, only delete what the rules select.
            return run(List.of(rsync, "-r", "--no-D", "--existing", "--ignore-existing", "--delete", "--force",
                    "--stats", "--from0", "--include-from=" + includes, "--exclude=*", root + "/",
                    destination.rsyncTarget()), renamed);
        } catch (IOException e) {
            return listFailure(e, renamed);
        } finally {
            ListsDir.deleteQuietly(includes);
        }
    }

    private TransferResult copy(List<Path> paths, List<Path> recursive, boolean whole, int renamed)
            throws InterruptedException {
        Path listFile = null;
        Path excludeFile = lists.next(".exclude");
        try {
            // --modify-window=-1: compare mtimes to the nanosecond. By default rsync compares whole
            // seconds, so a file copied mid-write keeps a stale mtime that no later sync repairs.
            List<String> argv = new ArrayList<>(List.of(rsync, "-a", "--no-D", "--delete", "--force", "--stats",
                    "--modify-window=-1", "--from0", "--exclude-from=" + excludeFile));
            if (!whole) {
                listFile = lists.next(".list");
                ListFile.writePaths(listFile, paths);
                // A listed path gone since the batch was built is news, not an error: its delete or
                // rename is in a later batch. Without this rsync exits 23 on every retry.
                argv.addAll(List.of("-r", "--ignore-missing-args", "--files-from=" + listFile));
            }
            ListFile.writeExcludes(excludeFile, ExclusionScan.scan(root, recursive, filter.get()));
            java.util.function.Consumer<String> lines = whole ? progress : null;
            if (lines != null) argv.add("--info=progress2"); // whole-tree syncs can be long: report how far
            argv.add(root + "/");
            argv.add(destination.rsyncTarget());
            return run(argv, renamed, lines);
        } catch (IOException e) {
            return listFailure(e, renamed);
        } finally {
            ListsDir.deleteQuietly(listFile);
            ListsDir.deleteQuietly(excludeFile);
        }
    }

    private TransferResult listFailure(IOException e, int renamed) {
        return new TransferResult(Outcome.RETRY, -1, 0, 0, renamed, "cannot prepare the rsync lists in "
                + lists.dir() + ": " + e.getMessage());
    }

    private TransferResult run(List<String> argv, int renamed) throws InterruptedException {
        return run(argv, renamed, null);
    }

    private TransferResult run(List<String> argv, int renamed, java.util.function.Consumer<String> lines)
            throws InterruptedException {
        return ChildRun.run("rsync", argv, Map.of(), timeout, policy, renamed,
                "install rsync: apt-get install rsync, or point -S at it", lines);
    }

    @Override
    public void onProgress(java.util.function.Consumer<String> listener) {
        progress = listener;
    }
}
