package io.jclsync.daemon;

import io.jclsync.batch.Batch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * The batches being synced at once ({@code -p safe}): at most {@code max}, and never two that
 * touch the same path, or a path and a directory above it, so that the changes of one path
 * reach the destination in the order they were made. A full sync runs alone.
 */
final class InFlight {
    private static final Logger LOG = Logger.getLogger(InFlight.class.getName());
    private final int max;
    /** Paths of running batches (a count: two batches may name one directory's parents). */
    private final Map<Path, Integer> paths = new HashMap<>();
    /** Directories with a running batch's path somewhere below them. */
    private final Map<Path, Integer> above = new HashMap<>();
    private int running;
    private boolean full;

    InFlight(int max) {
        this.max = max;
    }

    /**
     * Waits until {@code batch} may run beside the running ones, and counts it in.
     *
     * @return false if {@code stop} said so meanwhile (the batch is not counted)
     */
    synchronized boolean acquire(Batch batch, BooleanSupplier stop) throws InterruptedException {
        if (!mayRun(batch)) {
            LOG.fine("a batch of " + pathsOf(batch).size() + " path(s) waits for a running batch that touches its paths");
        }
        while (!mayRun(batch)) {
            if (stop.getAsBoolean()) return false;
            wait(200);
        }
        running++;
        if (batch.full()) full = true;
        for (Path p : pathsOf(batch)) {
            paths.merge(p, 1, Integer::sum);
            for (Path a = p.getParent(); a != null; a = a.getParent()) above.merge(a, 1, Integer::sum);
        }
        return true;
    }

    synchronized void release(Batch batch) {
        running--;
        if (batch.full()) full = false;
        for (Path p : pathsOf(batch)) {
            paths.computeIfPresent(p, (k, n) -> n == 1 ? null : n - 1);
            for (Path a = p.getParent(); a != null; a = a.getParent()) above.computeIfPresent(a, (k, n) -> n == 1 ? null : n - 1);
        }
        notifyAll();
    }

    synchronized int running() {
        return running;
    }

    /** Waits until no batch runs. */
    synchronized void awaitIdle() throws InterruptedException {
        while (running > 0) wait();
    }

    /** Whether {@code batch} is independent of every running batch, and there is room for it. */
    synchronized boolean mayRun(Batch batch) {
        if (running == 0) return true;
        if (running >= max || full || batch.full()) return false;
        for (Path p : pathsOf(batch)) {
            if (paths.containsKey(p) || above.containsKey(p)) return false;
            for (Path a = p.getParent(); a != null; a = a.getParent()) {
                if (paths.containsKey(a)) return false;
            }
        }
        return true;
    }

    private static List<Path> pathsOf(Batch batch) {
        List<Path> out = new ArrayList<>();
        for (Batch.Rename r : batch.renames()) {
            out.add(r.from());
            out.add(r.to());
        }
        for (Batch.Entry e : batch.entries()) out.add(e.path());
        return out;
    }
}
