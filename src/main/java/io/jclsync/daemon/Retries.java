package io.jclsync.daemon;

import io.jclsync.batch.Batch;
import io.jclsync.batch.Collector;
import io.jclsync.config.Config;
import io.jclsync.fs.PathBytes;
import io.jclsync.transfer.Transfer;
import io.jclsync.transfer.TransferResult;
import io.jclsync.transfer.Outcome;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Runs a batch through the transfer with {@code -r} retries and a growing wait between them,
 * logs and counts each run, and decides what a failure that stays means: stop, or with
 * {@code --ignore-failures} queue its paths again for later.
 */
final class Retries {
    private static final Logger LOG = Logger.getLogger(Retries.class.getName());

    /** A wait that ends early when the daemon is asked to stop. */
    interface Sleep {
        /** @return true when a stop was requested during the wait */
        boolean await(Duration wait) throws InterruptedException;
    }

    private final Config config;
    private final Stats stats;
    private final Collector collector;
    private final Sleep sleep;
    private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));

    Retries(Config config, Stats stats, Collector collector, Sleep sleep) {
        this.config = config;
        this.stats = stats;
        this.collector = collector;
        this.sleep = sleep;
    }

    /** @return false when the daemon must stop with a failure */
    boolean sync(Transfer transfer, Batch batch) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            long started = System.nanoTime();
            TransferResult r = transfer.run(batch);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            stats.transfer(batch.full(), r, millis);
            log(batch, r, millis);
            if (r.outcome() == Outcome.OK) {
                backoff.reset();
                return true;
            }
            boolean fatal = r.outcome() == Outcome.FATAL;
            if (!fatal && attempt < config.retries()) {
                Duration wait = backoff.next();
                LOG.warning("sync failed (attempt " + (attempt + 1) + " of " + (config.retries() + 1) + "): "
                        + r.detail() + "; retrying in " + wait.toSeconds() + " s");
                if (sleep.await(wait)) return true;
                continue;
            }
            if (!config.ignoreFailures()) {
                LOG.severe("sync failed" + (fatal ? "" : " after " + (attempt + 1) + " attempts") + ": "
                        + r.detail() + "; stopping (--ignore-failures keeps going)");
                return false;
            }
            Duration wait = backoff.next();
            LOG.warning("sync failed: " + r.detail() + "; --ignore-failures: its paths are queued again, next try in "
                    + wait.toSeconds() + " s or later");
            collector.requeue(batch);
            sleep.await(wait);
            return true;
        }
    }

    /** One line per run (INFO, or WARNING when it failed); with -v also the batch's paths. */
    void log(Batch batch, TransferResult r, long millis) {
        String what = batch.full() ? "full sync" : batch.entries().size() + " path(s)";
        String renamed = r.renamed() > 0 ? ", " + r.renamed() + " renamed in place" : "";
        Level level = r.outcome() == Outcome.OK ? Level.INFO : Level.WARNING;
        LOG.log(level, () -> String.format("%s: %s%s, %s sent (%s file data), %d ms, exit %d", config.label(), what,
                renamed, Bytes.human(r.bytesSent()), Bytes.human(r.literalBytes()), millis, r.exitCode()));
        if (LOG.isLoggable(Level.FINE) && !batch.full()) {
            LOG.fine(batch.entries().stream()
                    .map(e -> "  " + e.kind().name().toLowerCase() + " " + PathBytes.display(e.path())
                            + (e.exists() ? "" : " (gone)"))
                    .collect(Collectors.joining("\n", "paths:\n", "")));
        }
    }
}
