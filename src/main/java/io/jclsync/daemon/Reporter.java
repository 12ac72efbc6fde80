package io.jclsync.daemon;

import io.jclsync.config.Config;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tells the world what a daemon is doing: writes its {@link Stats} as JSON next to the status file
 * ({@code STATUS_FILE.json}) and, in cluster mode, to {@code STATE_DIR/status.json}, every 2 s
 * when it changed and once more on close; serves {@code --metrics-listen}.
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
    private MetricsServer metrics;
    private String last = "";

    private Reporter(Stats stats, List<Path> files) {
        this.stats = stats;
        this.files = files;
    }

    static Reporter start(Config config, Stats stats) throws IOException {
        List<Path> files = new ArrayList<>();
        if (config.statusFile() != null) files.add(config.statusFile().resolveSibling(config.statusFile().getFileName() + ".json"));
        if (config.cluster() != null) files.add(config.cluster().stateDir().resolve("status.json"));
        Reporter r = new Reporter(stats, files);
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
        if (!files.isEmpty()) r.writer.scheduleWithFixedDelay(r::write, 0, 2, TimeUnit.SECONDS);
        return r;
    }

    private synchronized void write() {
        String json;
        try {
            json = stats.json();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot report status", e);
            return;
        }
        if (json.equals(last)) return;
        last = json;
        for (Path f : files) StatusFile.writeAtomically(f, json);
    }

    @Override
    public void close() {
        writer.shutdownNow();
        if (metrics != null) metrics.close();
        write();
    }
}
