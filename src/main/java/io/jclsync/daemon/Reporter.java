package io.jclsync.daemon;

import io.jclsync.config.Config;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tells the world what a daemon is doing: writes its {@link Stats} as JSON next to the status file
 * ({@code STATUS_FILE.json}) and, in cluster mode, to {@code STATE_DIR/status.json}, at most every
 * 2 s and once more on close; serves {@code --metrics-listen}.
 *
 * <p>Not polled at a fixed rate, so an idle daemon does nothing: a change told through
 * {@link #changed()} is written within 2 s, and the status is looked at again 2 s after each write
 * (a change no one told of, such as a pull ending or a peer's lag ageing, shows then). Each look
 * that finds nothing new doubles the wait, up to {@link #LONGEST} for what only a count read on
 * demand can show (frames the cluster layer refused).
 */
final class Reporter implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Reporter.class.getName());

    private final Stats stats;
    private final List<Path> files;
    private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jclsync-status");
        t.setDaemon(true);
        return t;
    });
    private static final long SHORTEST = TimeUnit.SECONDS.toNanos(2);
    static final long LONGEST = TimeUnit.SECONDS.toNanos(60);
    private MetricsServer metrics;
    private String last = "";
    /** Guards the schedule below, never held while the status is built: tellers never wait for that. */
    private final Object schedule = new Object();
    /** How long after the last look the next one is due; doubles while nothing changes. */
    private long wait = SHORTEST;
    /** The next look (null: none scheduled, or closed) and when it is due (System.nanoTime()). */
    private ScheduledFuture<?> next;
    private long nextAt;
    /** When the last look started: the next is never sooner than 2 s after it. */
    private long lastLook = System.nanoTime() - SHORTEST;
    private boolean closed;

    private Reporter(Stats stats, List<Path> files) {
        this.stats = stats;
        this.files = files;
    }

    static Reporter start(Config config, Stats stats) throws IOException {
        List<Path> files = new ArrayList<>();
        if (config.statusFile() != null) files.add(config.statusFile().resolveSibling(config.statusFile().getFileName() + ".json"));
        if (config.cluster() != null) files.add(config.cluster().stateDir().resolve("status.json"));
        Reporter r = writing(stats, files);
        if (config.metricsListen() != null) {
            try {
                r.metrics = MetricsServer.start(config.metricsListen(), stats::prometheus);
            } catch (IOException e) {
                r.close();
                throw new IOException("cannot serve metrics on " + config.metricsListen() + " (--metrics-listen): "
                        + e.getMessage(), e);
            }
            LOG.info("metrics at http://" + config.metricsListen().getAddress().getHostAddress() + ":"
                    + config.metricsListen().getPort() + "/metrics");
        }
        return r;
    }

    /** Writes {@code stats} to {@code files} now and whenever they change. */
    static Reporter writing(Stats stats, List<Path> files) {
        Reporter r = new Reporter(stats, List.copyOf(files));
        if (!files.isEmpty()) {
            stats.onChange(r::changed);
            r.changed();
        }
        return r;
    }

    /** Something the status shows has changed: it is written within 2 s. */
    void changed() {
        synchronized (schedule) {
            wait = SHORTEST;
            if (closed || files.isEmpty()) return;
            long now = System.nanoTime();
            long due = Math.max(0, lastLook + SHORTEST - now);
            if (next != null && nextAt - now <= due) return; // due soon enough
            if (next != null) next.cancel(false); // not running: it is not due yet
            lookAt(now, due);
        }
    }

    private void lookAt(long now, long delay) {
        nextAt = now + delay;
        try {
            next = writer.schedule(this::look, delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            next = null; // closed
        }
    }

    private void look() {
        synchronized (schedule) {
            next = null;
            lastLook = System.nanoTime();
        }
        boolean wrote = write();
        synchronized (schedule) {
            if (closed || next != null) return; // a change told meanwhile scheduled the next look
            wait = wrote ? SHORTEST : Math.min(LONGEST, wait * 2);
            lookAt(System.nanoTime(), wait);
        }
    }

    /** Writes the status if it changed; true if it did. */
    private synchronized boolean write() {
        String json;
        try {
            json = stats.json();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot report status", e);
            return false;
        }
        if (json.equals(last)) return false;
        last = json;
        for (Path f : files) StatusFile.writeAtomically(f, json);
        return true;
    }

    @Override
    public void close() {
        synchronized (schedule) {
            if (closed) return;
            closed = true;
        }
        writer.shutdownNow();
        if (metrics != null) metrics.close();
        if (!files.isEmpty()) write();
    }
}
