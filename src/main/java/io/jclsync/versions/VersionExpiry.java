package io.jclsync.versions;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Runs {@link VersionStore#expire} on a thread of its own: at start, then every {@code every}. The
 * whole store is walked there, never on the path that applies changes.
 */
public final class VersionExpiry implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(VersionExpiry.class.getName());
    public static final Duration DEFAULT_EVERY = Duration.ofHours(1);

    private final ScheduledExecutorService executor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private VersionExpiry(ScheduledExecutorService executor) {
        this.executor = executor;
    }

    /** Starts expiring {@code store}, named {@code jclsync-versions-LABEL}. */
    public static VersionExpiry start(VersionStore store, String label, Duration every) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jclsync-versions-" + label);
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(() -> run(store), 0, every.toMillis(), TimeUnit.MILLISECONDS);
        return new VersionExpiry(executor);
    }

    private static void run(VersionStore store) {
        try {
            int removed = store.expire();
            if (removed > 0) LOG.info("expired " + removed + " old versions in " + store.dir() + " (" + store.policy().describe() + ")");
        } catch (IOException | RuntimeException e) {
            LOG.warning("cannot expire old versions in " + store.dir() + ": " + e.getMessage() + "; trying again later");
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
