package io.jclsync.daemon;

import io.jclsync.config.Config;
import io.jclsync.config.ConfigException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * One process serving many trees ({@code --ctl-socket}): each tree is a {@link Daemon} of its own
 * (watcher, collector, transfer) on a thread of its own, added and removed at runtime through
 * the {@link ControlServer}. A tree that fails to start is reported to whoever added it; one
 * that stops or fails later does not disturb the others.
 */
public final class TreeHost {
    private static final Logger LOG = Logger.getLogger(TreeHost.class.getName());
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** Builds (and validates) the config of tree {@code name} watching {@code dir}. */
    public interface TreeConfigs {
        Config configFor(String name, Path dir) throws ConfigException;
    }

    private record Tree(String name, Path dir, Daemon daemon, Thread thread) {}

    private final TreeConfigs configs;
    private final Map<String, Tree> trees = new LinkedHashMap<>();
    private final CountDownLatch stopped = new CountDownLatch(1);

    public TreeHost(TreeConfigs configs) {
        this.configs = configs;
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

    /** Starts tree {@code name}; returns a one-line report once it is syncing (or fails with why). */
    public synchronized String add(String name, Path dir) throws ConfigException, InterruptedException {
        if (!NAME.matcher(name).matches()) {
            throw new ConfigException("tree name '" + name + "': use 1-64 of A-Z a-z 0-9 . _ -, starting alphanumeric");
        }
        if (trees.containsKey(name)) throw new ConfigException("tree " + name + " exists (" + trees.get(name).dir() + ")");
        Path abs = dir.toAbsolutePath().normalize();
        for (Tree t : trees.values()) {
            if (abs.startsWith(t.dir()) || t.dir().startsWith(abs)) {
                throw new ConfigException(abs + " overlaps tree " + t.name() + " (" + t.dir() + ")");
            }
        }
        Config config = configs.configFor(name, abs);
        Daemon daemon = new Daemon(config);
        Thread thread = new Thread(() -> {
            int code = daemon.run();
            LOG.info("tree " + name + " stopped (exit " + code + ")");
        }, "jclsync-tree-" + name);
        thread.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String state = daemon.state();
        while (thread.isAlive() && (state.equals("starting")) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            state = daemon.state();
        }
        if (!thread.isAlive()) throw new ConfigException("tree " + name + " could not start; the log says why");
        trees.put(name, new Tree(name, abs, daemon, thread));
        LOG.info("added tree " + name + " (" + abs + ")");
        return "added " + name + " (" + abs + "): " + state;
    }

    /** Stops tree {@code name} cleanly and forgets it. */
    public synchronized String remove(String name) throws ConfigException, InterruptedException {
        Tree t = trees.remove(name);
        if (t == null) throw new ConfigException("no tree " + name + "; trees: " + trees.keySet());
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
    public synchronized void forEach(java.util.function.Consumer<Daemon> action) {
        for (Tree t : trees.values()) action.accept(t.daemon());
    }
}
