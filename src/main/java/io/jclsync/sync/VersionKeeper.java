package io.jclsync.sync;

import io.jclsync.fs.FileTrees;
import io.jclsync.fs.PathBytes;
import io.jclsync.fs.RelPath;
import io.jclsync.versions.VersionStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Keeps what a local transfer is about to replace or delete, in the {@link VersionStore}. A version
 * that cannot be kept (a full versions disk) is logged, and the change goes on: syncing never stops
 * for a version, and the destination always gets the current file. Failures are logged at once, then
 * at most once a minute with how many there were since.
 */
final class VersionKeeper {
    private static final Logger LOG = Logger.getLogger(VersionKeeper.class.getName());
    private static final long QUIET_NANOS = 60_000_000_000L;

    private final VersionStore store;
    private final Path destDir;
    private final AtomicLong failures = new AtomicLong();
    private volatile long lastLogged = System.nanoTime() - QUIET_NANOS;

    /** @param store the store, or null to keep nothing */
    VersionKeeper(VersionStore store, Path destDir) {
        this.store = store;
        this.destDir = destDir;
    }

    boolean keeps() {
        return store != null;
    }

    VersionStore store() {
        return store;
    }

    /**
     * Moves {@code target} (inside the destination) into the store, or, if that fails, leaves it to
     * be deleted by {@link #remove}.
     */
    void keep(Path target) {
        if (store == null || !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) return;
        try {
            store.keep(target, RelPath.of(destDir.relativize(target)));
        } catch (IOException | IllegalArgumentException e) {
            failed("cannot keep the old version of " + PathBytes.display(destDir.relativize(target)) + ": " + e.getMessage());
        }
    }

    /** Keeps {@code target} as a version, then removes whatever of it is still there. */
    void remove(Path target) throws IOException {
        keep(target);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) FileTrees.delete(target, destDir);
    }

    /**
     * After an rsync run: its --backup-dir moved into the store. When the run failed and the store is
     * on another file system than the destination, rsync copied its backups and one may be cut
     * short, so that run's are dropped instead (renames on one file system are always whole).
     */
    void adoptIncoming(Path run, boolean runFailed) {
        if (store == null) return;
        try {
            if (runFailed && !onDestinationFileSystem()) store.discardIncoming(run);
            store.adoptIncoming();
        } catch (IOException | IllegalArgumentException e) {
            failed("cannot move rsync's backups into " + store.dir() + ": " + e.getMessage());
        }
    }

    private boolean onDestinationFileSystem() throws IOException {
        return Files.getAttribute(store.dir(), "unix:dev", LinkOption.NOFOLLOW_LINKS)
                .equals(Files.getAttribute(destDir, "unix:dev", LinkOption.NOFOLLOW_LINKS));
    }

    void failed(String what) {
        long n = failures.incrementAndGet();
        long now = System.nanoTime();
        if (now - lastLogged < QUIET_NANOS) return;
        lastLogged = now;
        failures.set(0);
        LOG.warning(what + (n > 1 ? " (" + (n - 1) + " more versions not kept since the last such line)" : "")
                + "; syncing goes on without keeping them: free space in " + store.dir());
    }
}
