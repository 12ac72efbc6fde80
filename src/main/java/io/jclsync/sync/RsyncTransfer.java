package io.jclsync.sync;

import io.jclsync.process.ListFile;
import io.jclsync.transfer.Outcome;
import io.jclsync.transfer.Transfer;
import io.jclsync.transfer.TransferResult;

import io.jclsync.batch.Batch;
import io.jclsync.filter.Filter;
import io.jclsync.versions.VersionStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.Consumer;

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
 *
 * <p>With versioning, rsync keeps what it replaces or deletes with {@code --backup --backup-dir}: at
 * a local destination into the store's {@code incoming/RUN_TIME}, adopted into the store after the
 * run (deletes done in Java go through the store directly); at a remote one into
 * {@code VERSIONS_DIR/RUN_TIME} on the remote, which keeps them. rsync stops a run with exit code 11
 * (and a failed delete gives 23) when it cannot make a backup, leaving that file as it was; so a
 * run with backups that ends in 11 or 23 is run once more without them, logged, and the change still
 * arrives.
 */
public final class RsyncTransfer implements Transfer {
    /** rsync's exit codes for an I/O error (a backup it could not make stops the run) and a partial transfer. */
    private static final int RERR_FILEIO = 11;
    private static final int RERR_PARTIAL = 23;
    private final Path root;
    private final Destination destination;
    private final String rsync;
    private final Supplier<Filter> filter;
    private volatile Consumer<String> progress;
    private final ListsDir lists;
    private final Duration timeout;
    private final ExitCodePolicy policy;
    private final VersionKeeper versions;
    private final String remoteVersionsDir;
    private final Clock clock;

    public RsyncTransfer(Path root, Destination destination, String rsync, Supplier<Filter> filter,
                         ListsDir lists, Duration timeout, ExitCodePolicy policy) {
        this(root, destination, rsync, filter, lists, timeout, policy, null, null, Clock.systemUTC());
    }

    /**
     * @param versions          the store replaced and deleted files go to at a local destination, or null
     * @param remoteVersionsDir at a remote destination, the --backup-dir base there, or null
     */
    public RsyncTransfer(Path root, Destination destination, String rsync, Supplier<Filter> filter, ListsDir lists,
                         Duration timeout, ExitCodePolicy policy, VersionStore versions, String remoteVersionsDir,
                         Clock clock) {
        this.root = root;
        this.destination = destination;
        this.rsync = rsync;
        this.filter = filter;
        this.lists = lists;
        this.timeout = timeout;
        this.policy = policy;
        this.versions = new VersionKeeper(versions, destination.localDir());
        this.remoteVersionsDir = remoteVersionsDir;
        this.clock = clock;
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
                LocalDeleter.apply(root, destination.localDir(), missing, versions);
                return TransferResult.ok(0, 0, renamed);
            } catch (IOException e) {
                return new TransferResult(Outcome.RETRY, -1, 0, 0, renamed, "cannot delete at the destination: " + e);
            }
        }
        Path includes = lists.next(".delete");
        try {
            ListFile.writeIncludes(includes, missing);
            // --existing + --ignore-existing: transfer nothing, only delete what the rules select.
            return run(new ArrayList<>(List.of(rsync, "-r", "--no-D", "--existing", "--ignore-existing", "--delete",
                    "--force", "--stats", "--from0", "--include-from=" + includes, "--exclude=*", root + "/",
                    destination.rsyncTarget())), renamed, null);
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
            Filter f = filter.get();
            boolean scan = scanFirst(f);
            ListFile.writeExcludes(excludeFile, scan ? ExclusionScan.scan(root, recursive, f) : List.of());
            Consumer<String> lines = whole ? progress : null;
            if (lines != null) argv.add("--info=progress2"); // whole-tree syncs can be long: report how far
            argv.add(root + "/");
            argv.add(destination.rsyncTarget());
            TransferResult r = run(argv, renamed, lines);
            if (scan || r.exitCode() != RERR_PARTIAL) return r;
            // Something could not be read (rsync then deleted nothing): now leave out what the scan finds.
            ListFile.writeExcludes(excludeFile, ExclusionScan.scan(root, recursive, f));
            return run(argv, renamed, lines);
        } catch (IOException e) {
            return listFailure(e, renamed);
        } finally {
            ListsDir.deleteQuietly(listFile);
            ListsDir.deleteQuietly(excludeFile);
        }
    }

    /**
     * Whether to walk the synced directories for exclusions before rsync runs. With no rule that can
     * reject anything, the walk (the whole tree for a full sync, a second walk after the watcher's at
     * start) can only find unreadable directories, which are rare: rsync is run without it, and again
     * with it only when it exits 23 (rsync deletes nothing in a run that could not read something, so
     * nothing unreadable is deleted at the target meanwhile). Not when versions are kept: there exit 23
     * makes {@link #run} sync again without backups.
     */
    private boolean scanFirst(Filter f) {
        return !f.acceptsEverything() || versions.keeps() || remoteVersionsDir != null;
    }

    private TransferResult listFailure(IOException e, int renamed) {
        return new TransferResult(Outcome.RETRY, -1, 0, 0, renamed, "cannot prepare the rsync lists in "
                + lists.dir() + ": " + e.getMessage());
    }

    /** Runs rsync ({@code argv} ends with source and target), with backups when versions are kept. */
    private TransferResult run(List<String> argv, int renamed, Consumer<String> lines)
            throws InterruptedException {
        String backupDir = versions.keeps() ? versions.store().incomingDir().toString()
                : remoteVersionsDir != null ? remoteVersionsDir + "/" + VersionStore.stamp(clock.instant()) : null;
        if (backupDir == null) return runOnce(argv, renamed, lines);
        List<String> withBackup = new ArrayList<>(argv);
        withBackup.addAll(argv.size() - 2, List.of("--backup", "--backup-dir=" + backupDir));
        TransferResult r = runOnce(withBackup, renamed, lines);
        if (versions.keeps()) versions.adoptIncoming(Path.of(backupDir), r.outcome() != Outcome.OK);
        if (r.outcome() == Outcome.OK || (r.exitCode() != RERR_FILEIO && r.exitCode() != RERR_PARTIAL)) return r;
        versions.failed("rsync could not keep every replaced file in " + backupDir + " (exit " + r.exitCode() + ": "
                + r.detail() + "); running it again without keeping them");
        return runOnce(argv, renamed, lines);
    }

    private TransferResult runOnce(List<String> argv, int renamed, Consumer<String> lines)
            throws InterruptedException {
        return ChildRun.run("rsync", argv, Map.of(), timeout, policy, renamed,
                "install rsync: apt-get install rsync, or point -S at it", lines);
    }

    @Override
    public void onProgress(Consumer<String> listener) {
        progress = listener;
    }
}
