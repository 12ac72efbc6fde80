package io.jclsync.daemon;

import io.jclsync.config.Config;
import io.jclsync.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import io.jclsync.cluster.ClusterLinks;
import io.jclsync.fs.FileTrees;
import java.util.function.Consumer;

/**
 * One process serving many trees ({@code --ctl-socket}): each tree is a {@link Daemon} of its own
 * (watcher, collector, transfer) on a thread of its own, added and removed at runtime through
 * the {@link ControlServer}. A tree that fails to start is reported to whoever added it; one
 * that stops or fails later does not disturb the others.
 */
public final class TreeHost {
    private static final Logger LOG = Logger.getLogger(TreeHost.class.getName());
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /**
     * A tree to serve: its name, its dir, and the config block it is configured by.
     *
     * @param dir   the dir to watch, or null for the block's watch-dir
     * @param block null: the host's own options (with %n for the name)
     */
    public record Spec(String name, Path dir, String block) {}

    /** Builds (and validates) the config of a tree. */
    public interface TreeConfigs {
        Config configFor(Spec spec) throws ConfigException;
    }

    /** @param saved added with {@code ctl add}, so kept in the trees file (not the command line's -W) */
    private record Tree(Spec spec, Path dir, Daemon daemon, Thread thread, boolean saved) {
        String name() {
            return spec.name();
        }
    }

    private final TreeConfigs configs;
    private final Path treesFile;
    private final Map<String, Tree> trees = new LinkedHashMap<>();
    /** Trees of the trees file that did not start when the host did: listed, kept in the file until removed. */
    private final Map<String, Spec> notStarted = new LinkedHashMap<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Cluster trees of one cluster share a channel and a transfer listener. */
    private final ClusterLinks links = new ClusterLinks();
    private boolean restoring;

    /** @param treesFile where the trees added with {@code ctl add} are kept across restarts, or null */
    public TreeHost(TreeConfigs configs, Path treesFile) {
        this.configs = configs;
        this.treesFile = treesFile;
    }

    /**
     * Starts the trees of the trees file, as they were added before the host last stopped. One
     * that does not start (its dir is gone, its config is refused) is logged and listed as not
     * started; it stays in the file until it is removed.
     */
    public synchronized void restore() throws IOException, InterruptedException {
        if (treesFile == null || !Files.exists(treesFile)) return;
        restoring = true;
        try {
            restoreFrom(Files.readAllLines(treesFile, StandardCharsets.UTF_8));
        } finally {
            restoring = false;
        }
    }

    private void restoreFrom(List<String> lines) throws InterruptedException {
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.split("\t", 3);
            if (f.length != 3 || f[0].isEmpty() || (f[1].isEmpty() && f[2].isEmpty())) {
                LOG.warning(treesFile + ": ignoring '" + line + "' (expected NAME<tab>BLOCK<tab>DIR)");
                continue;
            }
            Spec spec = new Spec(f[0], f[2].isEmpty() ? null : Path.of(f[2]), f[1].isEmpty() ? null : f[1]);
            try {
                LOG.info(add(spec, true));
            } catch (ConfigException e) {
                LOG.warning("tree " + spec.name() + " (" + where(spec) + ") of " + treesFile + " did not start: " + e.getMessage()
                        + "; it is kept there until `jclsync ctl remove " + spec.name() + "`");
                notStarted.put(spec.name(), spec);
            }
        }
    }

    /** The tree's dir, or its config block when the block names the dir. */
    private static String where(Spec spec) {
        return spec.dir() != null ? spec.dir().toString() : "[" + spec.block() + "]";
    }

    private static String line(Spec spec) {
        return spec.name() + "\t" + (spec.block() == null ? "" : spec.block()) + "\t"
                + (spec.dir() == null ? "" : spec.dir()) + "\n";
    }

    private void save() {
        if (treesFile == null || restoring) return; // while restoring, the file already holds every tree
        StringBuilder sb = new StringBuilder("# jclsync --ctl-socket trees (jclsync ctl add/remove): "
                + "NAME<tab>CONFIG-BLOCK (empty: the host's options)<tab>DIR (empty: the block's watch-dir)\n");
        for (Tree t : trees.values()) if (t.saved()) sb.append(line(t.spec()));
        notStarted.values().forEach(spec -> sb.append(line(spec)));
        try {
            FileTrees.writeAtomically(treesFile, sb.toString());
        } catch (IOException e) {
            LOG.warning("cannot save the trees to " + treesFile + " (" + e.getMessage() + "): after a restart, add them again");
        }
    }

    /**
     * Makes the ctl socket's directory (0700) if it is missing, and refuses one that others may
     * write; called before any tree starts, so the mistake is a usage error.
     */
    public static void prepareSocketDir(Path socket) throws ConfigException {
        ControlServer.prepareDir(socket);
    }

    /** Serves {@code socket} until {@link #stopAll()}; returns the exit code. */
    public int run(Path socket) {
        try (ControlServer server = ControlServer.start(socket, this)) {
            LOG.info("serving trees; control socket " + socket);
            stopped.await();
            return 0;
        } catch (IOException e) {
            LOG.severe("cannot serve the control socket " + socket + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            return 0;
        } finally {
            stopTrees();
        }
    }

    /**
     * Starts tree {@code name}; returns a one-line report once it is syncing (or fails with why).
     *
     * @param save keep it in the trees file (added with {@code ctl add}), so that it comes back after a restart
     */
    public synchronized String add(String name, Path dir, boolean save) throws ConfigException, InterruptedException {
        return add(new Spec(name, dir, null), save);
    }

    /**
     * Starts tree {@code spec}; returns a one-line report once it is syncing (or fails with why).
     *
     * @param save keep it in the trees file (added with {@code ctl add}), so that it comes back after a restart
     */
    public synchronized String add(Spec spec, boolean save) throws ConfigException, InterruptedException {
        String name = spec.name();
        if (!NAME.matcher(name).matches()) {
            throw new ConfigException("tree name '" + name + "': use 1-64 of A-Z a-z 0-9 . _ -, starting alphanumeric");
        }
        if (trees.containsKey(name)) throw new ConfigException("tree " + name + " exists (" + trees.get(name).dir() + ")");
        for (String part : new String[] {String.valueOf(spec.dir()), String.valueOf(spec.block())}) {
            if (part.indexOf('\n') >= 0 || part.indexOf('\t') >= 0) throw new ConfigException("a tree's dir or block cannot hold a newline or tab");
        }
        Spec absolute = spec.dir() == null ? spec : new Spec(name, spec.dir().toAbsolutePath().normalize(), spec.block());
        if (absolute.dir() != null) checkOverlap(absolute.dir());
        Config config = configs.configFor(absolute);
        Path abs = config.watchDir();
        checkOverlap(abs);
        Daemon daemon = new Daemon(config, links);
        Thread thread = new Thread(() -> {
            int code = daemon.run();
            LOG.info("tree " + name + " stopped (exit " + code + ")");
        }, "jclsync-tree-" + name);
        thread.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String state = daemon.state();
        // "stopping" before it ever ran is a start that failed: wait for the thread to end and say so.
        while (thread.isAlive() && (state.equals("starting") || state.equals("stopping")) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            state = daemon.state();
        }
        if (!thread.isAlive()) throw new ConfigException("tree " + name + " could not start; the log says why");
        trees.put(name, new Tree(absolute, abs, daemon, thread, save));
        if (save && notStarted.remove(name) == null) save();
        LOG.info("added tree " + name + " (" + abs + ")");
        return "added " + name + " (" + abs + "): " + state;
    }

    private void checkOverlap(Path dir) throws ConfigException {
        for (Tree t : trees.values()) {
            if (dir.startsWith(t.dir()) || t.dir().startsWith(dir)) {
                throw new ConfigException(dir + " overlaps tree " + t.name() + " (" + t.dir() + ")");
            }
        }
    }

    /** Stops tree {@code name} cleanly and forgets it. */
    public synchronized String remove(String name) throws ConfigException, InterruptedException {
        if (notStarted.remove(name) != null) {
            save();
            return "removed " + name + " (it was not started)";
        }
        Tree t = trees.remove(name);
        if (t == null) throw new ConfigException("no tree " + name + "; trees: " + trees.keySet());
        if (t.saved()) save();
        t.daemon().stop();
        t.thread().join(TimeUnit.SECONDS.toMillis(60));
        LOG.info("removed tree " + name);
        return "removed " + name;
    }

    /** One line per tree: name, dir, state, paths queued. */
    public synchronized List<String> list() {
        List<String> out = new ArrayList<>();
        for (Tree t : trees.values()) {
            String state = t.thread().isAlive() ? t.daemon().state() : "stopped";
            out.add(t.name() + "\t" + t.dir() + "\t" + state + "\t" + t.daemon().queued());
        }
        notStarted.values().forEach(spec -> out.add(spec.name() + "\t" + where(spec) + "\tnot-started\t0"));
        return out;
    }

    /** Each running tree's status (the fields of {@code jclsync status --json}), one JSON object per line. */
    public synchronized List<String> status() {
        List<String> out = new ArrayList<>();
        for (Tree t : trees.values()) out.add(t.daemon().statusJson());
        return out;
    }

    /** SIGTERM: stop every tree, then the host. Idempotent. */
    public void stopAll() {
        stopped.countDown();
    }

    private synchronized void stopTrees() {
        for (Tree t : trees.values()) t.daemon().stop();
        for (Tree t : trees.values()) {
            try {
                t.thread().join(TimeUnit.SECONDS.toMillis(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        trees.clear();
    }

    /** SIGHUP and SIGUSR1 reach every tree. */
    public synchronized void forEach(Consumer<Daemon> action) {
        for (Tree t : trees.values()) action.accept(t.daemon());
    }
}
