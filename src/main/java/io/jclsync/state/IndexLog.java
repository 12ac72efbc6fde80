package io.jclsync.state;

import io.jclsync.state.Index.Version;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The index's entries as a numbered log: each change of an entry gets the next index sequence of
 * this index id and goes to the journal; a peer that has the log up to a sequence is sent only
 * what changed after it (catch-up answers); tombstones are forgotten after their lifetime; the
 * whole is saved as snapshots and restored at start, with this node's positions in its peers'
 * logs. The entries themselves are changed by {@link Index}'s steps, on the same lock: every
 * public method here is atomic with them; the package-private ones are called by {@link Index}
 * with the lock held.
 */
public final class IndexLog {
    /** How far a node has taken a peer's index: everything up to {@code sequence} of index {@code indexId}. */
    public record Position(long indexId, long sequence) {}

    /** What to send a peer that asked for this index after a position: entries up to {@code through}. */
    public record Answer(long indexId, long through, List<Map.Entry<Path, Version>> entries) {}

    /**
     * What is saved to disk: the index id and sequence, the sequence up to which tombstones have
     * been forgotten, how far this node has taken each peer's index, and the entries.
     */
    public record Snapshot(long indexId, long sequence, long forgotten, Map<String, Position> peers,
                           Map<Path, Version> entries) {
        public Snapshot {
            peers = Map.copyOf(peers);
            entries = Map.copyOf(entries);
        }
    }

    /**
     * Where every change of an entry is written as it happens, so that a node killed between two
     * saves of the whole index (every few seconds) finds its latest entries again at start.
     */
    public interface Journal {
        /** {@code path} now has {@code version}. Must not block for long: called with the index locked. */
        void put(Path path, Version version);

        /** A snapshot is being taken: what follows goes to a new journal, kept until that snapshot is saved. */
        void rotate();
    }

    /** The index this is the log of: its lock guards both. */
    private final Object lock;
    private final long tombstoneTtlMillis;
    /** Sorted, so that the entries below a directory are one range. */
    private final TreeMap<Path, Version> versions = new TreeMap<>();
    private final Map<String, Position> peers = new HashMap<>();
    private long indexId = newIndexId();
    private long sequence;
    private long forgotten;
    private boolean dirty;
    private boolean fresh = true;
    private Journal journal;

    IndexLog(Object lock, Duration tombstoneTtl) {
        this.lock = lock;
        this.tombstoneTtlMillis = tombstoneTtl.toMillis();
    }

    private static long newIndexId() {
        long id;
        do id = ThreadLocalRandom.current().nextLong(); while (id == 0);
        return id;
    }

    /** From now on every change of an entry also goes to {@code journal}. */
    public void journal(Journal journal) {
        synchronized (lock) {
            this.journal = journal;
        }
    }

    /**
     * Takes an entry back from the journal at start, unless the saved index has it at the same or
     * a later index sequence.
     */
    public void replayed(Path path, Version version) {
        synchronized (lock) {
            Version have = versions.get(path);
            if (have != null && have.sequence() >= version.sequence()) return;
            versions.put(path, version);
            sequence = Math.max(sequence, version.sequence());
            dirty = true;
        }
    }

    public long indexId() {
        synchronized (lock) {
            return indexId;
        }
    }

    public long sequence() {
        synchronized (lock) {
            return sequence;
        }
    }

    /** Whether nothing was restored: a new node's index (see {@link Index#fresh}). */
    boolean fresh() {
        return fresh;
    }

    void scanned() {
        fresh = false;
    }

    Version get(Path path) {
        return versions.get(path);
    }

    /** Every entry, in path order (a live view: the caller holds the lock). */
    Map<Path, Version> entries() {
        return versions;
    }

    /** {@code path} now has this version: numbered and journaled, unless it is what the entry holds already. */
    void put(Path path, FileState state, VersionVector vector, String writer, boolean takeover) {
        Version old = versions.get(path);
        if (old != null && FileStates.same(old.state(), state) && old.vector().equals(vector)
                && old.writer().equals(writer) && old.takeover() == takeover) {
            return; // nothing new: peers that have this entry need not be sent it again
        }
        long deletedAt = state == null ? System.currentTimeMillis() : 0;
        Version v = new Version(state, vector, writer, deletedAt, ++sequence, takeover);
        versions.put(path, v);
        dirty = true;
        if (journal != null) journal.put(path, v);
    }

    /** The entries below {@code dir} (not {@code dir} itself), tombstones included, in path order. */
    List<Map.Entry<Path, Version>> below(Path dir) {
        List<Map.Entry<Path, Version>> out = new ArrayList<>();
        String prefix = dir.toString();
        // In sorted order everything between "dir" and "dir/…" starts with "dir" (also "dir-x", skipped).
        for (Map.Entry<Path, Version> e : versions.tailMap(dir, false).entrySet()) {
            if (!e.getKey().toString().startsWith(prefix)) break;
            if (e.getKey().startsWith(dir)) out.add(e);
        }
        return out;
    }

    /** The entries that changed after index sequence {@code after}, oldest change first. */
    public List<Map.Entry<Path, Version>> changedAfter(long after) {
        synchronized (lock) {
            List<Map.Entry<Path, Version>> out = new ArrayList<>();
            for (Map.Entry<Path, Version> e : versions.entrySet()) {
                if (e.getValue().sequence() > after) out.add(Map.entry(e.getKey(), e.getValue()));
            }
            out.sort(Comparator.comparingLong(e -> e.getValue().sequence()));
            return out;
        }
    }

    /**
     * Where a peer that has this index up to {@code known} must start: after it, or from the
     * beginning if {@code known} is of another index id or tombstones it has not seen were forgotten.
     */
    public long catchUpStart(Position known) {
        synchronized (lock) {
            if (known == null || known.indexId() != indexId || known.sequence() < forgotten || known.sequence() > sequence) {
                return 0;
            }
            return known.sequence();
        }
    }

    public Answer answer(Position known) {
        synchronized (lock) {
            return new Answer(indexId, sequence, changedAfter(catchUpStart(known)));
        }
    }

    /** How far this node has taken {@code peer}'s index (null: never). */
    public Position position(String peer) {
        synchronized (lock) {
            return peers.get(peer);
        }
    }

    /** This node has applied everything of {@code peer}'s index up to {@code position}. */
    public void caughtUp(String peer, Position position) {
        synchronized (lock) {
            peers.put(peer, position);
            dirty = true;
        }
    }

    /** What to save, or null if nothing changed since the last snapshot. Forgets old tombstones first. */
    public Snapshot snapshotIfDirty() {
        synchronized (lock) {
            if (!dirty) return null;
            dirty = false;
            expireTombstones(System.currentTimeMillis());
            if (journal != null) journal.rotate();
            return new Snapshot(indexId, sequence, forgotten, peers, versions);
        }
    }

    /** Takes over a saved index. */
    public void restore(Snapshot saved) {
        synchronized (lock) {
            versions.clear();
            versions.putAll(saved.entries());
            peers.clear();
            peers.putAll(saved.peers());
            indexId = saved.indexId() == 0 ? newIndexId() : saved.indexId();
            long max = saved.sequence();
            for (Version v : versions.values()) max = Math.max(max, v.sequence());
            sequence = max;
            forgotten = saved.forgotten();
            fresh = false;
            // Indexes written before content versions observed with an empty vector: give those their
            // content's version (a new sequence, so peers are sent it).
            for (Path p : List.copyOf(versions.keySet())) {
                Version v = versions.get(p);
                if (v.vector().isEmpty() && v.state() != null) {
                    put(p, v.state(), ContentVersion.of(v.state()), v.writer(), v.takeover());
                }
            }
            expireTombstones(System.currentTimeMillis());
        }
    }

    /** Forgets deletes older than the tombstone lifetime. */
    public void expireTombstones(long nowMillis) {
        synchronized (lock) {
            var it = versions.values().iterator();
            while (it.hasNext()) {
                Version v = it.next();
                if (v.state() == null && nowMillis - v.deletedAtMillis() > tombstoneTtlMillis) {
                    forgotten = Math.max(forgotten, v.sequence());
                    it.remove();
                    dirty = true;
                }
            }
        }
    }
}
