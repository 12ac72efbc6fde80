package io.jclsync.daemon;

import io.jclsync.cluster.ClusterLinks;
import io.jclsync.replica.ReplicaNode;
import io.jclsync.config.Mode;

import io.jclsync.batch.Batch;
import io.jclsync.batch.BatchBuilder;
import io.jclsync.batch.Collector;
import io.jclsync.batch.Snapshot;
import io.jclsync.config.Config;
import io.jclsync.config.ConfigException;
import io.jclsync.config.RulesParser;
import io.jclsync.config.Versioning;
import io.jclsync.filter.Filter;
import io.jclsync.sync.ListsDir;
import io.jclsync.transfer.Transfer;
import io.jclsync.transfer.TransferResult;
import io.jclsync.versions.VersionExpiry;
import io.jclsync.versions.VersionStore;
import io.jclsync.watch.FsEvent;
import io.jclsync.watch.InotifyWatcher;
import io.jclsync.watch.WatchException;
import io.jclsync.watch.WatchSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import io.jclsync.batch.ModificationSignature;
import io.jclsync.config.Mounts;
import io.jclsync.filter.Rule;
import io.jclsync.fs.MountPoints;
import java.util.Comparator;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One jclsync process in one-way mode: watch → filter → collect → transfer, with an initial full
 * sync, retries with backoff, and clean stops. {@link #run()} is the sync thread.
 */
public final class Daemon {
    private static final Logger LOG = Logger.getLogger(Daemon.class.getName());
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final Config config;
    private final AtomicReference<Filter> filter = new AtomicReference<>();
    private final Collector collector;
    private volatile InotifyWatcher liveWatcher;
    private ReplicaNode clusterNode;
    private final ClusterLinks links;
    private final StatusFile status;
    private final Stats stats;
    private Reporter reporter;
    private final ModificationSignature signature;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicReference<WatchException> watchFailure = new AtomicReference<>();
    private final Retries retries;
    private volatile Thread syncThread;
    private volatile int result = EXIT_FAILURE;
    private int iterations;
    private Path ownListsDir;
    private VersionExpiry versionExpiry;

    public Daemon(Config config) {
        this(config, new ClusterLinks());
    }

    /** @param links the cluster channels shared with the other trees of a --ctl-socket host */
    public Daemon(Config config, ClusterLinks links) {
        this.config = config;
        this.links = links;
        this.collector = new Collector(config.delays(), config.mode() == Mode.CLUSTER);
        this.status = new StatusFile(config.statusFile());
        this.signature = config.modificationSignature() == null ? null
                : new ModificationSignature(config.watchDir(), config.modificationSignature());
        this.stats = new Stats(config.label(), config.mode().cliName(), status::word, collector::queued);
        this.retries = new Retries(config, stats, collector, this::sleepUnlessStopped);
    }

    /** Runs until stopped or failed; returns the process exit code. */
    public int run() {
        syncThread = Thread.currentThread();
        status.set(StatusFile.State.STARTING);
        writePidFile();
        InotifyWatcher watcher = null;
        try {
            // Cluster mode writes list files only for its pulls, in WATCH_DIR/.jclsync/incoming (0700).
            ListsDir lists = config.mode() == Mode.CLUSTER ? null : listsDir();
            filter.set(baseFilter(config.rules()));
            Transfer transfer;
            VersionStore versions = openVersions();
            if (config.mode() == Mode.CLUSTER) {
                try {
                    clusterNode = ReplicaNode.start(config.cluster(), config.watchDir(), filter::get, links, versions);
                } catch (Exception e) {
                    LOG.severe("cannot start cluster mode: " + e.getMessage());
                    return exitCode(EXIT_FAILURE);
                }
                transfer = clusterNode.announcer();
                ReplicaNode node = clusterNode;
                stats.cluster(node::counterValues, node::peers, node::catchUpProgress, node::behind);
            } else {
                transfer = Transfers.create(config, filter::get, lists, versions);
            }
            reporter = Reporter.start(config, stats);
            transfer.onProgress(stats::progress);
            if (!config.onlyInitialSync()) {
                watcher = InotifyWatcher.builder(config.watchDir()).filter(filter::get).sink(new Sink()).build();
                watcher.start();
                liveWatcher = watcher;
                LOG.info("watching " + config.watchDir() + " (" + watcher.watchCount() + " directories), "
                        + config.mode().cliName() + " to " + describeDestination());
            }
            if (!config.skipInitialSync()) {
                status.set(StatusFile.State.INITSYNC);
                long initialStart = System.nanoTime();
                if (!retries.sync(transfer, Batch.fullSync())) return exitCode(EXIT_FAILURE);
                stats.initialSyncDone(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - initialStart));
            }
            if (config.onlyInitialSync() || (config.exitOnNoEvents() && collector.queued() == 0)) {
                return exitCode(EXIT_OK);
            }
            status.set(StatusFile.State.RUNNING);
            int code = loop(transfer);
            runHook(config.lifecycle().preExitHook(), "pre-exit hook", code);
            if (code == EXIT_OK && config.lifecycle().syncOnQuit()) syncQueued(transfer);
            return exitCode(code);
        } catch (WatchException e) {
            LOG.severe(e.getMessage());
            return exitCode(EXIT_FAILURE);
        } catch (IOException e) {
            LOG.severe(e.getMessage());
            return exitCode(EXIT_FAILURE);
        } catch (InterruptedException e) {
            return exitCode(EXIT_OK);
        } finally {
            status.set(StatusFile.State.STOPPING);
            collector.close();
            if (watcher != null) watcher.close();
            if (clusterNode != null) clusterNode.close();
            if (reporter != null) reporter.close();
            if (versionExpiry != null) versionExpiry.close();
            cleanUp();
            runHook(config.lifecycle().exitHook(), "exit hook", result);
            finished.countDown();
        }
    }

    private int exitCode(int code) {
        WatchException failure = watchFailure.get();
        if (failure != null) {
            LOG.severe(failure.getMessage());
            code = EXIT_FAILURE;
        }
        result = code;
        return code;
    }

    private void runHook(Path hook, String what, int code) {
        ExitHooks.run(hook, what, config.label(), config.watchDir(), code);
    }

    /** {@code --sync-on-quit}: what is still queued is synced now, once, before the process exits. */
    private void syncQueued(Transfer transfer) throws InterruptedException {
        Snapshot left = collector.takeAll();
        if (left == null) return;
        BatchBuilder.Result built = new BatchBuilder(config.watchDir(), config.delays(), filter::get).build(left);
        List<Batch.Entry> bigs = built.deferred().stream().sorted(Comparator.comparing(Batch.Entry::path)).toList();
        LOG.info("--sync-on-quit: syncing what is queued before exiting");
        for (Batch batch : List.of(built.batch(), new Batch(List.of(), bigs, false))) {
            if (batch.isEmpty()) continue;
            long started = System.nanoTime();
            TransferResult r = transfer.run(batch);
            retries.log(batch, r, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        }
    }

    /** {@code --standby-file}: while it exists, wait (checking every second). @return false if stopped meanwhile */
    private boolean awaitStandbyOver() throws InterruptedException {
        Path standby = config.lifecycle().standbyFile();
        if (standby == null || !Files.exists(standby)) return true;
        LOG.info("standby: " + standby + " exists; syncing paused (changes keep being collected)");
        while (Files.exists(standby)) {
            if (sleepUnlessStopped(Duration.ofSeconds(1))) return false;
        }
        LOG.info("standby over: " + standby + " is gone; syncing again");
        return true;
    }

    private int loop(Transfer transfer) throws InterruptedException {
        BatchBuilder builder = new BatchBuilder(config.watchDir(), config.delays(), filter::get);
        // -p safe: batches that touch no path of a running one are synced beside it, on a pool.
        InFlight inFlight = new InFlight(config.parallelSyncs());
        ExecutorService pool = config.parallelSyncs() == 1 ? null
                : Executors.newFixedThreadPool(config.parallelSyncs(), r -> {
                    Thread t = new Thread(r, "jclsync-sync-" + config.label());
                    t.setDaemon(true);
                    return t;
                });
        AtomicBoolean failed = new AtomicBoolean();
        try {
            while (stopRequested.getCount() > 0 && !failed.get()) {
                Snapshot snapshot = collector.await();
                if (snapshot == null) break;
                BatchBuilder.Result built = builder.build(snapshot);
                if (!built.deferred().isEmpty()) {
                    LOG.fine(() -> built.deferred().size() + " big file(s) wait for the big-file delay (-T)");
                    collector.defer(built.deferred(), snapshot.windowStart());
                }
                Batch batch = signature == null ? built.batch() : signature.changedOnly(built.batch());
                if (batch.isEmpty()) {
                    collector.syncSkipped();
                    continue;
                }
                if (!awaitStandbyOver()
                        || !inFlight.acquire(batch, () -> stopRequested.getCount() == 0 || failed.get())) {
                    collector.requeue(batch);
                    collector.syncSkipped();
                    break;
                }
                status.set(StatusFile.State.SYNCHRONIZING);
                if (pool == null) {
                    if (!syncOne(transfer, batch, inFlight)) return EXIT_FAILURE;
                } else {
                    pool.execute(() -> {
                        try {
                            if (!syncOne(transfer, batch, inFlight)) failed.set(true);
                        } catch (InterruptedException e) {
                            collector.requeue(batch);
                        }
                    });
                }
                if (config.exitOnNoEvents() && collector.queued() == 0) break;
                if (++iterations == config.lifecycle().maxIterations()) {
                    LOG.info("--max-iterations " + iterations + " reached; exiting");
                    break;
                }
            }
            inFlight.awaitIdle();
        } finally {
            if (pool != null) pool.shutdownNow(); // interrupted (stop timed out): the running syncs end too
        }
        return failed.get() ? EXIT_FAILURE : EXIT_OK;
    }

    /** Syncs one batch (with its retries) and counts it out of {@code inFlight}. @return false on a failure that stops the daemon */
    private boolean syncOne(Transfer transfer, Batch batch, InFlight inFlight) throws InterruptedException {
        try {
            if (!retries.sync(transfer, batch)) return false;
            if (signature != null) signature.synced(batch);
            stats.batches.incrementAndGet();
            return true;
        } finally {
            collector.syncFinished();
            inFlight.release(batch);
            if (inFlight.running() == 0 && stopRequested.getCount() > 0) status.set(StatusFile.State.RUNNING);
        }
    }

    /** @return true when a stop was requested during the wait */
    private boolean sleepUnlessStopped(Duration wait) throws InterruptedException {
        return stopRequested.await(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops the daemon: the running transfer gets a grace period, then is interrupted. Idempotent. */
    public void stop() {
        if (stopRequested.getCount() == 0) return;
        LOG.info("stopping");
        status.set(StatusFile.State.STOPPING);
        stopRequested.countDown();
        collector.close();
        Thread t = syncThread;
        try {
            if (!finished.await(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS) && t != null) {
                LOG.warning("the running sync did not finish within " + STOP_GRACE.toSeconds()
                        + " s; stopping it");
                t.interrupt();
                finished.await(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The state word of the status file (starting, initsync, running, synchronizing, stopping). */
    public String state() {
        return status.word();
    }

    /** What {@code jclsync status --json} shows of this tree, on one line. */
    public String statusJson() {
        return stats.json().strip();
    }

    /** Paths waiting to be synced. */
    public int queued() {
        return collector.queued();
    }

    /** SIGHUP: re-read the rules file; a bad file is reported and the old rules stay. */
    public void reloadRules() {
        if (config.rulesFile() == null) {
            LOG.info("SIGHUP: no rules file (-R) to reload");
            return;
        }
        try {
            filter.set(baseFilter(RulesParser.parse(config.rulesFile())));
            LOG.info("reloaded rules from " + config.rulesFile() + "; running a full sync to apply them");
            InotifyWatcher w = liveWatcher;
            // The watcher re-walks the tree first (directories the rules now let in get watched),
            // then asks for the full sync through its sink.
            if (w != null) w.requestRescan();
            else collector.requestFullSync();
        } catch (ConfigException e) {
            LOG.severe("SIGHUP: " + e.getMessage() + "; keeping the previous rules");
        }
    }

    /** SIGUSR1: sync the whole tree now. */
    public void forceFullSync() {
        LOG.info("full resync requested");
        collector.requestFullSync();
    }

    private Filter baseFilter(List<Rule> rules) {
        Filter f = new Filter(rules, List.of());
        for (Path own : new Path[] {ownListsDir != null ? ownListsDir : config.listsDir(), config.statusFile(),
                config.pidFile()}) {
            if (own != null) {
                Path abs = own.toAbsolutePath().normalize();
                if (abs.startsWith(config.watchDir()) && !abs.equals(config.watchDir())) {
                    f = f.withAlwaysExcluded(config.watchDir().relativize(abs));
                }
            }
        }
        if (config.mode() == Mode.CLUSTER) f = f.withAlwaysExcluded(ReplicaNode.WORK_DIR);
        if (config.mounts() != Mounts.CROSS) {
            // Read at start and on SIGHUP: a file system mounted later is crossed until then.
            try {
                for (Path mount : MountPoints.below(config.watchDir(),
                        config.mounts() == Mounts.ONE_FILE_SYSTEM)) {
                    LOG.info("leaving out mount point " + mount);
                    f = f.withAlwaysExcluded(mount);
                }
            } catch (IOException e) {
                LOG.warning("cannot read the mount table (" + e.getMessage() + "); mount points are not left out");
            }
        }
        return f;
    }

    /**
     * Versioning at a local destination or of a cluster node's tree: the store (leftovers of a stopped run adopted or
     * removed) and its expiry thread; null when nothing is kept here. In cluster mode the store
     * keeps what peers' changes replace or delete here.
     */
    private VersionStore openVersions() throws IOException {
        Versioning v = config.versioning();
        if (!v.keeps() || v.remote()) {
            if (v.keeps()) {
                LOG.info("replaced and deleted files are kept on the remote in " + v.dir() + "/TIME; jclsync does not "
                        + "expire them there");
            }
            return null;
        }
        VersionStore store = VersionStore.open(v.localDir(), v.policy(), Clock.systemUTC());
        store.cleanTmp();
        store.adoptIncoming();
        versionExpiry = VersionExpiry.start(store, config.label(), VersionExpiry.DEFAULT_EVERY);
        LOG.info("keeping replaced and deleted files in " + store.dir() + " (" + v.policy().describe() + ")");
        return store;
    }

    private ListsDir listsDir() throws IOException {
        Path dir = config.listsDir();
        if (dir == null) {
            ownListsDir = Files.createTempDirectory("jclsync-lists-");
            dir = ownListsDir;
        } else {
            Files.createDirectories(dir);
        }
        return new ListsDir(dir, config.label());
    }

    private String describeDestination() {
        if (config.cluster() != null) {
            return "cluster " + config.cluster().clusterName() + " as " + config.cluster().nodeName();
        }
        return config.destination() != null ? config.destination() : "handler " + config.syncHandler();
    }

    private void writePidFile() {
        if (config.pidFile() != null) {
            StatusFile.writeAtomically(config.pidFile(), ProcessHandle.current().pid() + "\n");
        }
    }

    private void cleanUp() {
        if (ownListsDir != null) {
            try (var s = Files.list(ownListsDir)) {
                for (Path p : (Iterable<Path>) s::iterator) Files.deleteIfExists(p);
                Files.deleteIfExists(ownListsDir);
            } catch (IOException e) {
                LOG.fine("cannot remove " + ownListsDir + ": " + e);
            }
        }
        if (config.pidFile() != null) {
            try {
                Files.deleteIfExists(config.pidFile());
            } catch (IOException e) {
                LOG.fine("cannot remove " + config.pidFile() + ": " + e);
            }
        }
    }

    /** Receives the watcher's output on its reader thread. */
    private final class Sink implements WatchSink {
        @Override
        public void events(List<FsEvent> events) {
            collector.record(events);
            stats.events.addAndGet(events.size());
            if (LOG.isLoggable(Level.FINEST)) {
                for (FsEvent e : events) LOG.finest("event " + e);
            }
        }

        @Override
        public void rescan(Path relDir) {
            collector.rescan(relDir);
        }

        @Override
        public void failed(WatchException cause) {
            watchFailure.set(cause);
            stopRequested.countDown();
            collector.close();
        }
    }
}
