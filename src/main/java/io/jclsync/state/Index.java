package io.jclsync.state;

import java.nio.file.Path;
import java.time.Duration;
import io.jclsync.fs.FileType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * This node's view of its tree: for each path, the state it agreed on, the path's version vector
 * (node → number of changes it made to the path), who wrote that version, and the index sequence
 * at which the entry last changed here. Deleted paths keep a tombstone (state null) for a while.
 *
 * <p>Comparing an incoming change's vector with the local one tells a newer change (apply it) from
 * a stale one (ignore it) and from a concurrent one (a conflict). The sequence numbers make
 * catch-up incremental: a peer that has this index up to sequence S (of this index id) only needs
 * the entries changed after S.
 */
public final class Index {
    /**
     * @param deletedAtMillis for a tombstone (state null): when it was made; 0 otherwise
     * @param sequence        the index sequence at which this entry last changed
     * @param takeover        this version came from a subtree conflict its writer won ({@link #takeOver}):
     *                        it replaces the loser's versions, which the loser keeps aside before applying it
     */
    public record Version(FileState state, VersionVector vector, String writer, long deletedAtMillis,
                          long sequence, boolean takeover) {
        public Version {
            Objects.requireNonNull(vector, "vector");
        }

        public Version(FileState state, VersionVector vector, String writer, long deletedAtMillis, long sequence) {
            this(state, vector, writer, deletedAtMillis, sequence, false);
        }
    }

    /**
     * What this node has below a conflict scope (a subtree): the merge of every entry's version
     * vector (tombstones included), and of the live entries the latest mtime and its writer,
     * the number of files and their bytes.
     */
    public record ScopeState(VersionVector vector, long latestMtimeNanos, String latestWriter, long files,
                             long bytes) {
        public ScopeState {
            Objects.requireNonNull(vector, "vector");
        }
    }

    /** How far a node has taken a peer's index: everything up to {@code sequence} of index {@code indexId}. */
    public record Position(long indexId, long sequence) {}

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

    private final String self;
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

    /** From now on every change of an entry also goes to {@code journal}. */
    public synchronized void journal(Journal journal) {
        this.journal = journal;
    }

    /**
     * Takes an entry back from the journal at start, unless the saved index has it at the same or
     * a later index sequence.
     */
    public synchronized void replayed(Path path, Version version) {
        Version have = versions.get(path);
        if (have != null && have.sequence() >= version.sequence()) return;
        versions.put(path, version);
        sequence = Math.max(sequence, version.sequence());
        dirty = true;
    }

    public Index(String self) {
        this(self, Duration.ofDays(30));
    }

    /** @param tombstoneTtl how long a delete is remembered (a node away longer may bring the file back) */
    public Index(String self, Duration tombstoneTtl) {
        this.self = self;
        this.tombstoneTtlMillis = tombstoneTtl.toMillis();
    }

    private static long newIndexId() {
        long id;
        do id = ThreadLocalRandom.current().nextLong(); while (id == 0);
        return id;
    }

    public String self() {
        return self;
    }

    /**
     * Whether this is a new node's index that has not been through its first scan: what that scan
     * finds is observed (no version of ours yet), not a change made here.
     */
    public synchronized boolean fresh() {
        return fresh;
    }

    /** The first scan is done: from now on, anything new found here is a local change. */
    public synchronized void scanned() {
        fresh = false;
    }

    public synchronized long indexId() {
        return indexId;
    }

    public synchronized long sequence() {
        return sequence;
    }

    public synchronized Version get(Path path) {
        return versions.get(path);
    }

    /** The state agreed on for {@code path} (null: none, or deleted). */
    public synchronized FileState state(Path path) {
        Version v = versions.get(path);
        return v == null ? null : v.state();
    }

    private void put(Path path, FileState state, VersionVector vector, String writer) {
        put(path, state, vector, writer, false);
    }

    private void put(Path path, FileState state, VersionVector vector, String writer, boolean takeover) {
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

    /**
     * A change made on this node: bumps our counter; returns the vector to announce. A delete
     * also turns every indexed entry below the path into a tombstone (a deleted directory takes
     * its contents with it).
     */
    public synchronized VersionVector localChange(Path path, FileState state) {
        if (state == null) {
            for (Path below : liveBelow(path)) localChange(below, null);
        }
        Version old = versions.get(path);
        VersionVector vv = (old == null ? VersionVector.empty() : old.vector()).increment(self);
        put(path, state, vv, self);
        return vv;
    }

    /**
     * A delete a scan found of {@code path}, indexed as {@code expected} when the scan began: made
     * (as {@link #localChange} with no state) only if the entry is still {@code expected}, in one
     * step. A peer's change the apply thread indexed in between (a file it placed there since the
     * scan looked) is then left alone, not tombstoned as a delete of this node's that every peer
     * would take as newer than that change.
     *
     * @return the delete's vector, or null if the entry changed (its own events announce it)
     */
    public synchronized VersionVector localDeleteIfUnchanged(Path path, Version expected) {
        if (!expected.equals(versions.get(path))) return null;
        return localChange(path, null);
    }

    /**
     * What a new node's first scan finds at a path it has not indexed: no change of ours, but the
     * content's own version ({@link ContentVersion}), the same on every node that has this content.
     */
    public synchronized VersionVector observed(Path path, FileState state) {
        Version old = versions.get(path);
        if (old == null) {
            VersionVector vv = ContentVersion.of(state);
            put(path, state, vv, self);
            return vv;
        }
        return old.vector();
    }

    /**
     * A scan (at start, after an overflow) found {@code path} in another state than indexed. It
     * descends from the indexed version, but who made it is not known: an edit made here while
     * jclsync was down, or a peer's change this node applied just before it was killed, whose index
     * entry was not saved yet. So the new version counts its content ({@link ContentVersion#key}),
     * not this node: equal to the peer's version by content, it merges with it instead of
     * conflicting; different, it conflicts with it, as it must. Deletes stay this node's.
     */
    public synchronized VersionVector foundChanged(Path path, FileState state) {
        if (state == null) return localChange(path, null);
        Version old = versions.get(path);
        VersionVector vv = (old == null ? VersionVector.empty() : old.vector()).increment(ContentVersion.key(state));
        put(path, state, vv, self);
        return vv;
    }

    /** A peer's change was applied (or merged into a conflict resolution); see the other {@code applied}. */
    public synchronized void applied(Path path, FileState state, VersionVector vector, String writer) {
        applied(path, state, vector, writer, false);
    }

    /**
     * A peer's change was applied; {@code takeover}: it came from a subtree conflict (see {@link #takeOver}).
     * A path's version never goes back: {@code vector} was decided from the entry as it was then, and
     * what the entry holds now is merged in. A version of this node's announced meanwhile (a local
     * change found by a batch while a peer's winning version was pulled) is replaced by the applied
     * state, but stays covered; else this node's next change of the path could carry the very
     * vector the others hold for the peer's version, and be stale everywhere.
     */
    public synchronized void applied(Path path, FileState state, VersionVector vector, String writer,
                                     boolean takeover) {
        Version now = versions.get(path);
        put(path, state, now == null ? vector : now.vector().merge(vector), writer, takeover);
    }

    /** The entries below {@code dir} (not {@code dir} itself), tombstones included, in path order. */
    private List<Map.Entry<Path, Version>> below(Path dir) {
        List<Map.Entry<Path, Version>> out = new ArrayList<>();
        String prefix = dir.toString();
        // In sorted order everything between "dir" and "dir/…" starts with "dir" (also "dir-x", skipped).
        for (Map.Entry<Path, Version> e : versions.tailMap(dir, false).entrySet()) {
            if (!e.getKey().toString().startsWith(prefix)) break;
            if (e.getKey().startsWith(dir)) out.add(e);
        }
        return out;
    }

    /** What this node has below {@code dir}. */
    public synchronized ScopeState scope(Path dir) {
        VersionVector vector = VersionVector.empty();
        long latest = Long.MIN_VALUE;
        String latestWriter = "";
        long files = 0;
        long bytes = 0;
        for (Map.Entry<Path, Version> e : below(dir)) {
            Version v = e.getValue();
            vector = vector.merge(v.vector());
            FileState s = v.state();
            if (s == null) continue;
            if (s.mtimeNanos() > latest) {
                latest = s.mtimeNanos();
                latestWriter = v.writer();
            }
            if (s.type() == FileType.FILE) {
                files++;
                bytes += s.size();
            }
        }
        return new ScopeState(vector, latest == Long.MIN_VALUE ? 0 : latest, latestWriter, files, bytes);
    }

    /**
     * This node's version of the subtree {@code dir} won a conflict against another side's: every
     * entry below it gets one new version that descends from both sides' (their merge, plus one
     * change of ours), flagged as a takeover, and each path only the other side has ({@code
     * otherPaths}) a tombstone with it. Applied by the other side, these make its subtree this
     * one's; it keeps its own aside first.
     *
     * @param otherSide the other side's {@link ScopeState#vector()} of {@code dir}
     * @return the entries to announce, in path order
     */
    public synchronized List<Map.Entry<Path, Version>> takeOver(Path dir, VersionVector otherSide,
                                                                Collection<Path> otherPaths) {
        VersionVector vector = scope(dir).vector().merge(otherSide).increment(self);
        TreeMap<Path, FileState> states = new TreeMap<>();
        for (Path p : otherPaths) {
            if (p.startsWith(dir) && !p.equals(dir)) states.put(p, null);
        }
        for (Map.Entry<Path, Version> e : below(dir)) states.put(e.getKey(), e.getValue().state());
        List<Map.Entry<Path, Version>> out = new ArrayList<>(states.size());
        states.forEach((p, state) -> {
            put(p, state, vector, self, true);
            out.add(Map.entry(p, versions.get(p)));
        });
        return out;
    }

    /** How many paths are indexed (tombstones included). */
    public synchronized int size() {
        return versions.size();
    }

    /** A snapshot of every indexed path. */
    public synchronized Map<Path, Version> all() {
        return Map.copyOf(versions);
    }

    /** The entries that changed after index sequence {@code after}, oldest change first. */
    public synchronized List<Map.Entry<Path, Version>> changedAfter(long after) {
        List<Map.Entry<Path, Version>> out = new ArrayList<>();
        for (Map.Entry<Path, Version> e : versions.entrySet()) {
            if (e.getValue().sequence() > after) out.add(Map.entry(e.getKey(), e.getValue()));
        }
        out.sort(Comparator.comparingLong(e -> e.getValue().sequence()));
        return out;
    }

    /**
     * Where a peer that has this index up to {@code known} must start: after it, or from the
     * beginning if {@code known} is of another index id or tombstones it has not seen were forgotten.
     */
    public synchronized long catchUpStart(Position known) {
        if (known == null || known.indexId() != indexId || known.sequence() < forgotten || known.sequence() > sequence) {
            return 0;
        }
        return known.sequence();
    }

    /** What to send a peer that asked for this index after {@code known}: entries up to {@code through}. */
    public record Answer(long indexId, long through, List<Map.Entry<Path, Version>> entries) {}

    public synchronized Answer answer(Position known) {
        return new Answer(indexId, sequence, changedAfter(catchUpStart(known)));
    }

    /** How far this node has taken {@code peer}'s index (null: never). */
    public synchronized Position position(String peer) {
        return peers.get(peer);
    }

    /** This node has applied everything of {@code peer}'s index up to {@code position}. */
    public synchronized void caughtUp(String peer, Position position) {
        peers.put(peer, position);
        dirty = true;
    }

    /**
     * The version at {@code path} takes in {@code other}'s (a conflict's losing version, now kept
     * beside it): its vector becomes the merge of both, so peers holding the loser take ours as
     * newer. Nothing changes for a path deleted here, or a vector that already covers {@code other}.
     */
    public synchronized void absorb(Path path, VersionVector other) {
        Version v = versions.get(path);
        if (v == null || v.state() == null || v.vector().covers(other)) return;
        put(path, v.state(), v.vector().merge(other), v.writer(), v.takeover());
    }

    /**
     * A conflict decided here is settled at {@code path} (the winner in place, the loser kept beside
     * it and taken in): the merged version becomes a new version of this node's, with the winner's
     * state and writer, to be announced. A merge alone is not a version: two nodes that decided
     * different pairs of the path's versions (one took a descendant of the other's winner first)
     * could end with the same merged vector over different contents, and never meet again.
     *
     * @return the vector to announce, or null if nothing live is indexed at {@code path}
     */
    public synchronized VersionVector resolved(Path path) {
        Version v = versions.get(path);
        if (v == null || v.state() == null) return null;
        VersionVector vv = v.vector().increment(self);
        put(path, v.state(), vv, v.writer(), v.takeover());
        return vv;
    }

    /**
     * An entry that moved to {@code to} with its directory keeps its history: {@code to} gets the
     * moved entry's state and writer, and a vector that descends from both the moved entry's and
     * what {@code to} held, so changes made to it after the move are newer everywhere.
     */
    public synchronized void carry(Path to, Version moved) {
        Version there = versions.get(to);
        put(to, moved.state(), there == null ? moved.vector() : there.vector().merge(moved.vector()), moved.writer());
    }

    /** The entries indexed below {@code dir} (not {@code dir} itself), tombstones included. */
    public synchronized Map<Path, Version> entriesBelow(Path dir) {
        Map<Path, Version> out = new HashMap<>();
        for (Map.Entry<Path, Version> e : below(dir)) out.put(e.getKey(), e.getValue());
        return out;
    }

    /**
     * The paths indexed below {@code dir} that are not deleted, each before the directories it is
     * in: deleting them in this order (and sending their tombstones in it) removes a directory's
     * entries before the directory, so a receiver never judges an entry by its directory's delete.
     */
    public synchronized List<Path> liveBelow(Path dir) {
        List<Path> out = new ArrayList<>();
        for (Map.Entry<Path, Version> e : below(dir)) {
            if (e.getValue().state() != null) out.add(e.getKey());
        }
        out.sort(java.util.Comparator.reverseOrder());
        return out;
    }

    /** What to save, or null if nothing changed since the last snapshot. Forgets old tombstones first. */
    public synchronized Snapshot snapshotIfDirty() {
        if (!dirty) return null;
        dirty = false;
        expireTombstones(System.currentTimeMillis());
        if (journal != null) journal.rotate();
        return new Snapshot(indexId, sequence, forgotten, peers, versions);
    }

    /** Takes over a saved index. */
    public synchronized void restore(Snapshot saved) {
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

    /** Forgets deletes older than the tombstone lifetime. */
    public synchronized void expireTombstones(long nowMillis) {
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
