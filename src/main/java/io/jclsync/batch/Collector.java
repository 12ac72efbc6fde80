package io.jclsync.batch;

import io.jclsync.watch.FsEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The queue between the watcher and the transfer. Events are coalesced per path with
 * {@link ChangeKind#combine}; a window opens with the first event and falls due once no event
 * has come for {@link Delays#settle()}, or {@link Delays#collect()} after its first event,
 * whichever is first (later events never push it past that, so constant churn still syncs). Big
 * files wait on their own timer. When one directory piles up more than
 * {@link Delays#foldThreshold()} entries they fold into the directory, which is then synced
 * recursively; more than 100 times that many queued paths in all make a full sync. Memory and
 * list length stay bounded however many events arrive.
 *
 * <p>Thread-safe: the watcher thread records, the sync thread takes.
 */
public final class Collector {
    private static final Path ROOT = Path.of("");
    private static final long SYNC_GRACE_NANOS = 200_000_000L;

    private record Deferred(ChangeKind kind, long due) {}

    private final Delays delays;
    private final LongSupplier clock;
    private LinkedHashMap<Path, ChangeKind> changes = new LinkedHashMap<>();
    private final Map<Path, Integer> entriesPerDir = new HashMap<>();
    private Set<Path> folded = new HashSet<>();
    private LinkedHashMap<Path, Path> renames = new LinkedHashMap<>(); // to -> original from
    private final LinkedHashMap<Path, Deferred> bigfiles = new LinkedHashMap<>();
    private final WriteTracker writes = new WriteTracker();
    private final LinkedHashMap<Path, Deferred> held = new LinkedHashMap<>();
    private boolean full;
    private long windowStart;
    private boolean windowOpen;
    /** When the latest event of the open window came: it falls due once quiet for {@link Delays#settle()}. */
    private long lastEvent;
    private long lastSyncEnd;
    private boolean synced;
    /** Syncs running now. */
    private int syncing;
    private boolean closed;
    /** Others write into the watched tree too (cluster peers): what appears in it may be known elsewhere. */
    private final boolean sharedTree;

    public Collector(Delays delays) {
        this(delays, false);
    }

    /**
     * @param sharedTree the tree is also written by others who know what they write (cluster peers):
     *                   a new entry may be one of theirs, so it never drops out with a later delete
     */
    public Collector(Delays delays, boolean sharedTree) {
        this(delays, System::nanoTime, sharedTree);
    }

    public Collector(Delays delays, LongSupplier clock) {
        this(delays, clock, false);
    }

    public Collector(Delays delays, LongSupplier clock, boolean sharedTree) {
        this.delays = delays;
        this.clock = clock;
        this.sharedTree = sharedTree;
    }

    public synchronized void record(List<FsEvent> events) {
        for (FsEvent e : events) {
            switch (e.kind()) {
                case CREATE -> change(e.path(), created());
                case WRITE -> {
                    writes.written(e.path(), clock.getAsLong());
                    change(e.path(), ChangeKind.MODIFY);
                }
                case CLOSE_WRITE -> {
                    writes.closed(e.path());
                    change(e.path(), ChangeKind.MODIFY);
                }
                case MODIFY -> change(e.path(), ChangeKind.MODIFY);
                case DELETE -> {
                    writes.gone(e.path());
                    change(e.path(), ChangeKind.DELETE);
                }
                case MOVE -> {
                    writes.gone(e.from());
                    if (e.directory()) carryQueued(e.from(), e.path());
                    move(e.from(), e.path());
                }
            }
        }
        notifyAll();
    }

    /** Everything under {@code relDir} must be re-checked (the whole tree for the root). */
    public synchronized void rescan(Path relDir) {
        if (relDir.equals(ROOT)) {
            requestFullSyncLocked();
        } else if (!covered(relDir)) {
            fold(relDir);
        }
        notifyAll();
    }

    public synchronized void requestFullSync() {
        requestFullSyncLocked();
        notifyAll();
    }

    private void requestFullSyncLocked() {
        full = true;
        changes.clear();
        entriesPerDir.clear();
        folded.clear();
        renames.clear();
        openWindow();
    }

    /**
     * A directory moved: changes queued below it now happen below its new name. The move's own
     * delete and create cover the destination either way; what this keeps is each file's own
     * entry, which the batch builder needs to look at the file (a hard link's other names).
     */
    private void carryQueued(Path from, Path to) {
        if (full || changes.isEmpty()) return;
        List<Map.Entry<Path, ChangeKind>> below = new ArrayList<>();
        for (Map.Entry<Path, ChangeKind> c : changes.entrySet()) {
            if (c.getKey().startsWith(from) && !c.getKey().equals(from)) below.add(c);
        }
        for (Map.Entry<Path, ChangeKind> c : below) {
            changes.remove(c.getKey());
            entriesPerDir.merge(parent(c.getKey()), -1, Integer::sum);
        }
        for (Map.Entry<Path, ChangeKind> c : below) change(to.resolve(from.relativize(c.getKey())), c.getValue());
    }

    private void move(Path from, Path to) {
        if (!full) {
            Path origin = renames.remove(from);
            if (origin == null) origin = from;
            if (!origin.equals(to)) renames.put(to, origin);
        }
        change(from, ChangeKind.DELETE);
        replaced(to);
    }

    /**
     * Something new is at {@code to} by a rename: what was there before (rename(2) replaces a file,
     * or an empty directory) is gone. As a delete then a create, so that a later delete in the same
     * window still deletes the old entry, and a path created in this window stays a create.
     */
    private void replaced(Path to) {
        change(to, ChangeKind.DELETE);
        change(to, created());
    }

    /**
     * What a new entry is to the destination. A create followed by a delete in one window drops out
     * (the destination never saw it), but only if no sync ran meanwhile: a sync copies directories
     * whole (and a full sync the tree), so it may have taken an entry created while it ran, whose
     * event lands in this window. Then the entry may be at the destination: a modify, which a
     * delete later turns into a delete. Events arrive a moment after the change: a short grace
     * after a sync ends covers them. In a shared tree the new entry may be a peer's, written here
     * by its node and known to every other: a delete of it is news, so it is always a modify (the
     * delete of a path nobody was told of is dropped where the batch is announced).
     */
    private ChangeKind created() {
        if (sharedTree) return ChangeKind.MODIFY;
        boolean maybeCopied = syncing > 0 || (synced && clock.getAsLong() - lastSyncEnd < SYNC_GRACE_NANOS);
        return maybeCopied ? ChangeKind.MODIFY : ChangeKind.CREATE;
    }

    private void change(Path path, ChangeKind kind) {
        openWindow();
        if (covered(path)) return;
        Deferred waiting = held.get(path);
        if (waiting != null) {
            ChangeKind merged = ChangeKind.combine(waiting.kind(), kind);
            if (merged == null) held.remove(path);
            else held.put(path, new Deferred(merged, waiting.due()));
            return;
        }
        Deferred big = bigfiles.get(path);
        if (big != null) {
            ChangeKind merged = ChangeKind.combine(big.kind(), kind);
            if (merged == null) bigfiles.remove(path);
            else bigfiles.put(path, new Deferred(merged, big.due()));
            return;
        }
        ChangeKind queued = changes.get(path);
        ChangeKind merged = ChangeKind.combine(queued, kind);
        if (merged == null) {
            changes.remove(path);
            entriesPerDir.merge(parent(path), -1, Integer::sum);
            return;
        }
        changes.put(path, merged);
        if (queued == null) {
            Path dir = parent(path);
            int n = entriesPerDir.merge(dir, 1, Integer::sum);
            if (n > delays.foldThreshold()) fold(dir);
            else if (changes.size() > maxQueued()) requestFullSyncLocked();
        }
    }

    private void fold(Path dir) {
        if (dir.equals(ROOT)) {
            requestFullSyncLocked();
            return;
        }
        for (Iterator<Path> it = changes.keySet().iterator(); it.hasNext(); ) {
            Path p = it.next();
            if (p.startsWith(dir) && !p.equals(dir)) {
                it.remove();
                entriesPerDir.merge(parent(p), -1, Integer::sum);
            }
        }
        folded.removeIf(p -> p.startsWith(dir));
        folded.add(dir);
        openWindow();
    }

    /** Queued paths across all directories above which the batch becomes a full sync: bounds memory. */
    private int maxQueued() {
        return delays.foldThreshold() * 100;
    }

    private boolean covered(Path path) {
        if (full) return true;
        if (folded.isEmpty()) return false;
        for (Path p = path; p != null; p = p.getParent()) {
            if (folded.contains(p)) return true;
        }
        return false;
    }

    private static Path parent(Path path) {
        Path parent = path.getParent();
        return parent == null ? ROOT : parent;
    }

    private void openWindow() {
        long now = clock.getAsLong();
        if (!windowOpen) {
            windowOpen = true;
            windowStart = now;
        }
        lastEvent = now;
    }

    /** Two timers: quiet for the settle time, or the collect delay since the first event, whichever is first. */
    private long windowDue() {
        long byCollect = windowStart + delays.collect().toNanos();
        long bySettle = lastEvent + delays.settle().toNanos();
        return bySettle - byCollect < 0 ? bySettle : byCollect;
    }

    /** Queue big files found when a batch was built; they sync {@link Delays#bigfileCollect()} after their window opened. */
    public synchronized void defer(List<Batch.Entry> bigs, long windowStart) {
        long due = windowStart + delays.bigfileCollect().toNanos();
        for (Batch.Entry e : bigs) {
            bigfiles.merge(e.path(), new Deferred(e.kind(), due),
                    (old, neu) -> new Deferred(ChangeKind.combine(neu.kind(), old.kind()), old.due()));
        }
        notifyAll();
    }

    /** A batch failed: its paths go back in the queue, as older than anything queued since. */
    public synchronized void requeue(Batch failed) {
        if (failed.full()) {
            requestFullSyncLocked();
        } else {
            LinkedHashMap<Path, ChangeKind> newer = changes;
            Set<Path> newerFolded = folded;
            changes = new LinkedHashMap<>();
            entriesPerDir.clear();
            folded = new HashSet<>();
            for (Batch.Entry e : failed.entries()) {
                if (e.isDirectory()) fold(e.path());
                else change(e.path(), e.kind());
            }
            for (Path dir : newerFolded) {
                if (!covered(dir)) fold(dir);
            }
            newer.forEach(this::change);
            openWindow();
        }
        notifyAll();
    }

    /** The sync thread finished a sync: the {@link Delays#betweenSyncs()} pause starts now. */
    public synchronized void syncFinished() {
        lastSyncEnd = clock.getAsLong();
        synced = true;
        syncing = Math.max(0, syncing - 1);
    }

    /** A snapshot taken from here turned out to need no sync (or goes back with {@link #requeue}). */
    public synchronized void syncSkipped() {
        syncing = Math.max(0, syncing - 1);
    }

    /**
     * Blocks until a batch is due, and takes it; null once closed. Every snapshot taken must be
     * answered with {@link #syncFinished} or {@link #syncSkipped}.
     */
    public synchronized Snapshot await() throws InterruptedException {
        while (!closed) {
            long now = clock.getAsLong();
            Snapshot due = takeIfDue(now);
            if (due != null) return due;
            long at = dueAt();
            long waitMillis = at == Long.MAX_VALUE ? 0 : Math.max(1, (at - now + 999_999) / 1_000_000);
            wait(waitMillis);
        }
        return null;
    }

    /** The snapshot due at {@code now}, taken out of the queue; null when nothing is due. */
    public synchronized Snapshot takeIfDue(long now) {
        return take(now, false);
    }

    /** Everything queued, due or not (a last sync before exit); null when nothing is queued. */
    public synchronized Snapshot takeAll() {
        return queued() == 0 && renames.isEmpty() ? null : take(clock.getAsLong(), true);
    }

    private Snapshot take(long now, boolean force) {
        long at = dueAt();
        if (!force && (at == Long.MAX_VALUE || now - at < 0)) return null;
        boolean windowDue = windowOpen && (force || now - windowDue() >= 0);
        LinkedHashMap<Path, ChangeKind> taken = new LinkedHashMap<>();
        Set<Path> takenFolded = Set.of();
        List<Batch.Rename> takenRenames = List.of();
        boolean takenFull = false;
        Set<Path> matured = new HashSet<>();
        long start = windowStart;
        if (windowDue) {
            taken = changes;
            takenFolded = folded;
            takenRenames = new ArrayList<>();
            for (Map.Entry<Path, Path> r : renames.entrySet()) {
                takenRenames.add(new Batch.Rename(r.getValue(), r.getKey()));
            }
            takenFull = full;
            changes = new LinkedHashMap<>();
            entriesPerDir.clear();
            folded = new HashSet<>();
            renames = new LinkedHashMap<>();
            full = false;
            windowOpen = false;
            if (!writes.isEmpty() && !takenFull && !force) holdActiveWrites(taken, now);
        }
        releaseHeld(taken, now, takenFull || force);
        for (Iterator<Map.Entry<Path, Deferred>> it = bigfiles.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Path, Deferred> big = it.next();
            if (takenFull || force || now - big.getValue().due() >= 0) {
                taken.merge(big.getKey(), big.getValue().kind(), ChangeKind::combine);
                matured.add(big.getKey());
                it.remove();
            }
        }
        Snapshot snapshot = new Snapshot(taken, takenFolded, takenRenames, takenFull, matured, start);
        // From now until its sync ends (syncFinished or syncSkipped), entries may reach the destination.
        syncing++;
        return snapshot;
    }

    /** Moves files still being written out of {@code taken}, to be checked again shortly. */
    private void holdActiveWrites(Map<Path, ChangeKind> taken, long now) {
        for (Iterator<Map.Entry<Path, ChangeKind>> it = taken.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Path, ChangeKind> e = it.next();
            if (holds(e.getKey(), now)) {
                held.put(e.getKey(), new Deferred(e.getValue(), now + recheckNanos()));
                it.remove();
            }
        }
        writes.prune(now, Math.max(maxHoldNanos(), delays.collect().toNanos()) * 2);
    }

    /** Held files whose writer closed them, went quiet, or ran out of hold time join {@code taken}. */
    private void releaseHeld(Map<Path, ChangeKind> taken, long now, boolean all) {
        for (Iterator<Map.Entry<Path, Deferred>> it = held.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Path, Deferred> h = it.next();
            if (!all && now - h.getValue().due() < 0) continue;
            if (!all && holds(h.getKey(), now)) {
                h.setValue(new Deferred(h.getValue().kind(), now + recheckNanos()));
                continue;
            }
            taken.merge(h.getKey(), h.getValue().kind(), ChangeKind::combine);
            it.remove();
        }
    }

    private boolean holds(Path path, long now) {
        return writes.hold(path, now, delays.collect().toNanos(), maxHoldNanos());
    }

    /** A file being written waits at most this long: the big-file delay, or the collect delay if longer. */
    private long maxHoldNanos() {
        return Math.max(delays.bigfileCollect().toNanos(), delays.collect().toNanos());
    }

    /** How often a held file is looked at again: a quarter of the collect delay, 20 to 250 ms. */
    private long recheckNanos() {
        return Math.max(20_000_000L, Math.min(250_000_000L, delays.collect().toNanos() / 4));
    }

    /** When the next batch falls due ({@link System#nanoTime()} scale), or Long.MAX_VALUE if nothing waits. */
    private long dueAt() {
        long at = Long.MAX_VALUE;
        if (windowOpen) at = windowDue();
        for (Deferred d : bigfiles.values()) {
            if (at == Long.MAX_VALUE || d.due() - at < 0) at = d.due();
        }
        for (Deferred d : held.values()) {
            if (at == Long.MAX_VALUE || d.due() - at < 0) at = d.due();
        }
        if (at != Long.MAX_VALUE && synced) {
            long earliest = lastSyncEnd + delays.betweenSyncs().toNanos();
            if (earliest - at > 0) at = earliest;
        }
        return at;
    }

    /** Paths waiting (queued and deferred), for status. */
    public synchronized int queued() {
        return changes.size() + folded.size() + bigfiles.size() + held.size() + (full ? 1 : 0);
    }

    /** Wakes {@link #await()}, which then returns null. Idempotent. */
    public synchronized void close() {
        closed = true;
        notifyAll();
    }
}
