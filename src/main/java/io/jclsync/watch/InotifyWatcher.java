package io.jclsync.watch;

import static io.jclsync.watch.jna.Inotify.*;

import io.jclsync.filter.Filter;
import io.jclsync.fs.FileType;
import io.jclsync.fs.PathBytes;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Watches a directory tree recursively with inotify.
 *
 * <p>A new directory is watched first and listed second, so a file created in it before the watch
 * existed is still reported (by the listing). Directory moves inside the tree update the path of
 * every watch below. An overflowed queue becomes a {@link WatchSink#rescan} of the whole tree.
 *
 * <p>Events are read after the fact: by the time a directory's creation is read, it (or a parent)
 * may have moved on, and a watch added by its path goes to whatever is there now, or nowhere. So
 * every move of a directory inside the tree is checked against the kernel ({@link #placeMoved}),
 * and a directory whose creation found nothing at its name waits for a parent's move to say where
 * it went ({@link #unplaced}).
 */
public final class InotifyWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(InotifyWatcher.class.getName());
    static final int DIR_MASK = IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_MOVED_FROM
            | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK;
    private static final Path ROOT = Path.of("");
    private static final int FLUSH_EVENTS = 4096;
    /** More directories than this waiting to be placed: a rescan of the tree is cheaper. */
    private static final int MAX_UNPLACED = 10_000;
    /** A moved subtree of more directories than this is checked against the kernel at its top only. */
    private static final int MAX_CHECKED = 10_000;

    private final Path root;
    private final Supplier<Filter> filter;
    private final WatchSink sink;
    private final WatchTable table = new WatchTable();
    private final RenamePairer pairer;
    private final TreeScanner scanner;
    private InotifyChannel channel;
    private Thread reader;
    private volatile boolean stopping;
    private boolean overflowed;
    private volatile boolean rescanRequested;
    private long overflows;
    private long lastOverflowLog;
    /**
     * Directories whose creation was read after nothing was at the name it gave any more (moved
     * away with a parent, or deleted): placed, watched and scanned when a parent's move says where
     * they went; dropped when a delete or a move out of the tree says they are gone.
     */
    private final Set<Path> unplaced = new HashSet<>();

    private InotifyWatcher(Builder b) {
        this.root = b.root;
        this.filter = b.filter;
        this.sink = b.sink;
        this.pairer = new RenamePairer(TimeUnit.MILLISECONDS.toNanos(b.moveTimeoutMillis));
        this.scanner = new TreeScanner(root, this::watchDirectory);
    }

    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /** Watches the whole tree, then starts the reader thread. */
    public synchronized void start() throws WatchException {
        if (channel != null) throw new IllegalStateException("already started");
        channel = InotifyChannel.open();
        try {
            scanner.scan(ROOT, filter.get(), null);
        } catch (WatchException e) {
            channel.close();
            throw e;
        }
        LOG.fine(() -> "watching " + table.size() + " directories under " + root);
        reader = new Thread(this::readLoop, "jclsync-inotify");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Re-walks the tree on the reader thread, watching directories the filter now lets in (after
     * the rules were reloaded), then reports a {@link WatchSink#rescan} of the root. Directories it
     * now rejects stay watched; their events are dropped.
     */
    public void requestRescan() {
        rescanRequested = true;
        if (channel != null) channel.wakeUp();
    }

    /** Number of directories watched (for status and tests). */
    public int watchCount() {
        return table.size();
    }

    private boolean watchDirectory(Path rel) throws WatchException {
        Path abs = root.resolve(rel);
        InotifyChannel.AddResult result = channel.addWatch(abs, DIR_MASK, table.size());
        switch (result) {
            case ADDED -> {
                table.put(channel.lastWd(), rel);
                return true;
            }
            case DENIED -> {
                LOG.warning("cannot watch " + PathBytes.display(abs) + ": permission denied; it and everything "
                        + "below it are skipped (make it readable by this user to sync it)");
                return false;
            }
            default -> {
                return false;
            }
        }
    }

    private void readLoop() {
        try {
            while (!stopping) {
                int timeout = pairer.millisUntilNextDeadline(System.nanoTime());
                if (!channel.await(timeout)) {
                    if (stopping) break;
                    channel.clearWake(); // woken by requestRescan()
                }
                List<FsEvent> out = new ArrayList<>();
                ByteBuf buf;
                while (!stopping && (buf = channel.read()) != null) {
                    for (InotifyEvent event : InotifyEventParser.parse(buf)) {
                        handle(event, out);
                    }
                    // Under a constant flood the queue never drains: hand events on as we go.
                    if (out.size() >= FLUSH_EVENTS) flush(out);
                }
                if (overflowed) rescanAfterOverflow(out);
                if (rescanRequested) {
                    rescanRequested = false;
                    unplaced.clear();
                    scanner.scan(ROOT, filter.get(), null);
                    flush(out);
                    sink.rescan(ROOT);
                }
                for (RenamePairer.Pending gone : pairer.expire(System.nanoTime())) {
                    movedOut(gone, out);
                }
                placeReturned(out);
                flush(out);
            }
        } catch (WatchException e) {
            if (!stopping) sink.failed(e);
        } catch (RuntimeException e) {
            if (!stopping) sink.failed(new WatchException("watcher failed: " + e, e));
        }
    }

    private void handle(InotifyEvent e, List<FsEvent> out) throws WatchException {
        if (LOG.isLoggable(Level.FINEST)) {
            LOG.finest("inotify wd " + e.wd() + " (" + table.dir(e.wd()) + ") mask 0x" + Integer.toHexString(e.mask())
                    + " cookie " + e.cookie() + " name " + PathBytes.display(e.name()));
        }
        if (e.has(IN_Q_OVERFLOW)) {
            overflow(out);
            return;
        }
        Path dir = table.dir(e.wd());
        if (e.has(IN_IGNORED)) {
            table.remove(e.wd());
            return;
        }
        if (dir == null) return; // a watch we already dropped
        if (e.name().length == 0) {
            selfEvent(e, dir);
            return;
        }
        Path path = PathBytes.child(dir, e.name());
        boolean isDir = e.isDir();
        Filter f = filter.get();
        if (e.has(IN_MOVED_FROM)) {
            if (included(f, path, isDir)) {
                pairer.movedFrom(e.cookie(), path, isDir, isDir ? table.watchesAt(path) : Map.of(), System.nanoTime());
            }
            return;
        }
        if (e.has(IN_MOVED_TO)) {
            movedTo(e, path, isDir, f, out);
            return;
        }
        if (!included(f, path, isDir)) return;
        if (e.has(IN_CREATE)) {
            out.add(FsEvent.create(path, isDir));
            if (isDir) watchNew(path, f, out);
        } else if (e.has(IN_DELETE)) {
            if (isDir) forgetUnplaced(path);
            out.add(FsEvent.delete(path, isDir));
        } else if (e.has(IN_CLOSE_WRITE)) {
            out.add(FsEvent.closeWrite(path));
        } else if (e.has(IN_MODIFY) && !isDir) {
            out.add(FsEvent.write(path));
        } else if (e.has(IN_MODIFY | IN_ATTRIB)) {
            out.add(FsEvent.modify(path, isDir));
        }
    }

    private void movedTo(InotifyEvent e, Path to, boolean isDir, Filter f, List<FsEvent> out) throws WatchException {
        RenamePairer.Pending from = pairer.movedTo(e.cookie());
        boolean toIncluded = included(f, to, isDir);
        if (from == null) {
            // Moved in from outside the tree (or from an excluded path): a new entry, which
            // replaces whatever was at that path (rename(2) may replace a file or an empty dir).
            if (toIncluded) {
                out.add(FsEvent.delete(to, isDir));
                out.add(FsEvent.create(to, isDir));
                if (isDir) watchNew(to, f, out);
            }
            return;
        }
        if (isDir) table.move(from.from(), to);
        if (toIncluded) {
            out.add(FsEvent.move(from.from(), to, isDir));
            if (isDir) placeMoved(from.from(), to, f, out);
        } else {
            if (isDir) forgetUnplaced(from.from());
            if (isDir) unwatch(to);
            out.add(FsEvent.delete(from.from(), isDir));
        }
    }

    /**
     * A directory renamed within the tree keeps its watches, which follow the inodes, if the table
     * had them right. Each directory the table now places at or below {@code to} is watched again
     * by its path: the kernel hands back the descriptor that inode has. The table's answer: that
     * watch is in the tree (not to be removed with an earlier move out of the tree that it has
     * come back from). Another answer: it was not watched as believed (its creation was read after
     * it had moved on, or a move into a directory made a moment before was seen as a move out);
     * it is watched, and scanned as new, so what was written in it meanwhile is reported. A path
     * with nothing there is left to the events that say where it went. Then the directories made
     * below {@code from} that were never found are looked for below {@code to}.
     */
    private void placeMoved(Path from, Path to, Filter f, List<FsEvent> out) throws WatchException {
        Map<Path, Integer> moved = table.entriesAt(to);
        // A very large subtree is checked at its top only: a check costs a system call per
        // directory, while the reader reads nothing (about 1 s per 100,000 directories).
        if (moved.size() > MAX_CHECKED) moved = table.wd(to) == null ? Map.of() : Map.of(to, table.wd(to));
        for (Map.Entry<Path, Integer> w : moved.entrySet()) {
            Path dir = w.getKey();
            InotifyChannel.AddResult added;
            try {
                added = channel.addWatch(root.resolve(dir), DIR_MASK, table.size());
            } catch (WatchLimitException full) {
                throw full;
            } catch (WatchException e) {
                // Not checkable by its path now (too long, say): left to its own events.
                LOG.fine(() -> "cannot check the watch of " + PathBytes.display(dir) + ": " + e.getMessage());
                continue;
            }
            if (added != InotifyChannel.AddResult.ADDED) continue;
            int wd = channel.lastWd();
            if (wd == w.getValue()) {
                table.seen(wd);
            } else {
                LOG.fine(() -> PathBytes.display(dir) + " was not watched as believed: watched and scanned again");
                table.put(wd, dir);
                scanner.scan(dir, f, out);
            }
        }
        if (table.wd(to) == null) scanner.scan(to, f, out); // never watched: watched now, if still there
        List<Path> found = unplaced.stream().filter(p -> p.startsWith(from)).toList();
        for (Path p : found) {
            unplaced.remove(p);
            Path now = to.resolve(from.relativize(p));
            if (!included(f, now, true)) continue;
            out.add(FsEvent.create(now, true));
            watchNew(now, f, out);
        }
    }

    /**
     * A directory made here or moved in from outside: watched and scanned, or, if nothing is at its
     * name any more, left to wait for a parent's move to say where it went.
     */
    private void watchNew(Path dir, Filter f, List<FsEvent> out) throws WatchException {
        if (noDirectory(dir)) {
            // Something else at its name now (a file made there since): nothing to watch there.
            unplaced(dir);
            return;
        }
        scanner.scan(dir, f, out);
        if (table.wd(dir) == null && noDirectory(dir)) unplaced(dir);
    }

    /**
     * Once the queue is drained: a directory waiting to be placed that is at its name again (moved
     * away with a parent and back, whose moves named it nowhere else) is watched and scanned there.
     */
    private void placeReturned(List<FsEvent> out) throws WatchException {
        if (unplaced.isEmpty()) return;
        Filter f = filter.get();
        for (Path dir : List.copyOf(unplaced)) {
            if (noDirectory(dir)) continue;
            unplaced.remove(dir);
            out.add(FsEvent.create(dir, true));
            watchNew(dir, f, out);
        }
    }

    /** Waits for a parent's move to say where {@code dir} went ({@link #unplaced}); too many: a rescan. */
    private void unplaced(Path dir) {
        unplaced.add(dir);
        if (unplaced.size() > MAX_UNPLACED) {
            unplaced.clear();
            rescanRequested = true;
        }
    }

    /** {@code dir} and what was below it are gone from the tree: nothing there waits to be placed. */
    private void forgetUnplaced(Path dir) {
        if (!unplaced.isEmpty()) unplaced.removeIf(p -> p.startsWith(dir));
    }

    /** Whether no directory is at {@code rel} now (nothing, or a file or link; unreadable counts as one). */
    private boolean noDirectory(Path rel) {
        try {
            return FileType.lstat(root.resolve(rel)).map(a -> !a.isDirectory()).orElse(true);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A directory moved out of the tree: its watches (as they were when it moved) go, unless one
     * was seen in the tree since (added again, or moved within it): moved straight back in (or into
     * a directory watched after it got there), the same inode has the same descriptors, and
     * removing them by path or descriptor would leave it unwatched (chaos cluster seed 300, watch
     * history seeds 5 and 17).
     */
    private void movedOut(RenamePairer.Pending gone, List<FsEvent> out) {
        for (Map.Entry<Integer, Long> w : gone.watches().entrySet()) {
            if (!table.sameWatch(w.getKey(), w.getValue())) continue;
            channel.removeWatch(w.getKey());
            table.remove(w.getKey());
        }
        if (gone.directory()) forgetUnplaced(gone.from());
        out.add(FsEvent.delete(gone.from(), gone.directory()));
    }

    private void unwatch(Path dir) {
        for (int wd : table.subtree(dir)) {
            channel.removeWatch(wd);
            table.remove(wd);
        }
    }

    private void selfEvent(InotifyEvent e, Path dir) throws WatchException {
        if (!dir.equals(ROOT)) return; // handled through the parent's events
        if (e.has(IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)) {
            throw new WatchException("the watch dir " + root + " was deleted, moved or unmounted; "
                    + "stopping (recreate it and start jclsync again)");
        }
    }

    private void overflow(List<FsEvent> out) {
        overflowed = true;
        overflows++;
    }

    /**
     * Once the queue is drained after an overflow: watch directories created meanwhile, then ask
     * for a full sync. Repeated overflows in one drain cost one rescan, and are logged at most
     * every 10 s with a count.
     */
    private void rescanAfterOverflow(List<FsEvent> out) throws WatchException {
        overflowed = false;
        long now = System.nanoTime();
        if (lastOverflowLog == 0 || now - lastOverflowLog > TimeUnit.SECONDS.toNanos(10)) {
            long n = overflows;
            LOG.warning("inotify queue overflowed" + (n > 1 ? " (" + n + " times)" : "")
                    + "; rescanning " + root + " so nothing is missed (raise fs.inotify.max_queued_events"
                    + " if this repeats)");
            lastOverflowLog = now;
            overflows = 0;
        }
        // Partners of pending moves may be among the lost events: the rescan covers both ends.
        pairer.drain();
        unplaced.clear();
        scanner.scan(ROOT, filter.get(), null);
        flush(out);
        sink.rescan(ROOT);
    }

    private void flush(List<FsEvent> out) {
        if (!out.isEmpty()) {
            sink.events(List.copyOf(out));
            out.clear();
        }
    }

    private boolean included(Filter f, Path path, boolean isDir) {
        if (isDir) return f.walks(path);
        if (f.acceptsEverything()) return true;
        return f.accepts(path, typeOf(path));
    }

    private FileType typeOf(Path rel) {
        try {
            return FileType.lstat(root.resolve(rel)).map(FileType::of).orElse(FileType.FILE);
        } catch (IOException e) {
            // Unreadable now (a parent's permissions changed): take it for a file; its sync will
            // say what is wrong. Never a reason to stop watching.
            LOG.fine(() -> "cannot stat " + PathBytes.display(rel) + ": " + e);
            return FileType.FILE;
        }
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            if (stopping) return;
            stopping = true;
            t = reader;
        }
        if (channel == null) return;
        channel.wakeUp();
        if (t != null) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                LOG.log(Level.WARNING, "inotify reader did not stop in 10 s; leaving its fds open");
                return;
            }
        }
        channel.close();
    }

    public static final class Builder {
        private final Path root;
        private Supplier<Filter> filter = () -> Filter.ACCEPT_ALL;
        private WatchSink sink;
        private long moveTimeoutMillis = 50;

        private Builder(Path root) {
            this.root = root.toAbsolutePath().normalize();
        }

        /** The current filter; read on every event so a reloaded rule set applies at once. */
        public Builder filter(Supplier<Filter> filter) {
            this.filter = Objects.requireNonNull(filter);
            return this;
        }

        public Builder sink(WatchSink sink) {
            this.sink = Objects.requireNonNull(sink);
            return this;
        }

        /** How long a lone IN_MOVED_FROM waits for its IN_MOVED_TO before it counts as moved out. */
        public Builder moveTimeoutMillis(long millis) {
            this.moveTimeoutMillis = millis;
            return this;
        }

        public InotifyWatcher build() {
            Objects.requireNonNull(sink, "sink");
            return new InotifyWatcher(this);
        }
    }
}
