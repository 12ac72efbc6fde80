package io.jclsync.state;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * This node's view of its tree: for each path, the state it agreed on, the path's version vector
 * (node → number of changes it made to the path), who wrote that version, and the index sequence
 * at which the entry last changed here. Deleted paths keep a tombstone (state null) for a while.
 *
 * <p>Comparing an incoming change's vector with the local one tells a newer change (apply it) from
 * a stale one (ignore it) and from a concurrent one (a conflict). The sequence numbers make
 * catch-up incremental: a peer that has this index up to sequence S (of this index id) only needs
 * the entries changed after S: numbering, catch-up answers, the journal and snapshots are its
 * {@link IndexLog}'s, on this index's lock. Every public method is one atomic step.
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

    private final String self;
    /** The entries, numbered, journaled and saved; guarded by this index's lock. */
    private final IndexLog log;

    public Index(String self) {
        this(self, Duration.ofDays(30));
    }

    /** @param tombstoneTtl how long a delete is remembered (a node away longer may bring the file back) */
    public Index(String self, Duration tombstoneTtl) {
        this.self = self;
        this.log = new IndexLog(this, tombstoneTtl);
    }

    /** The index as a numbered log: catch-up answers, positions in peers' indexes, journal and snapshots. */
    public IndexLog log() {
        return log;
    }

    public String self() {
        return self;
    }

    /**
     * Whether this is a new node's index that has not been through its first scan: what that scan
     * finds is observed (no version of ours yet), not a change made here.
     */
    public synchronized boolean fresh() {
        return log.fresh();
    }

    /** The first scan is done: from now on, anything new found here is a local change. */
    public synchronized void scanned() {
        log.scanned();
    }

    public synchronized Version get(Path path) {
        return log.get(path);
    }

    /** The state agreed on for {@code path} (null: none, or deleted). */
    public synchronized FileState state(Path path) {
        Version v = log.get(path);
        return v == null ? null : v.state();
    }

    private void put(Path path, FileState state, VersionVector vector, String writer) {
        log.put(path, state, vector, writer, false);
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
        Version old = log.get(path);
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
        if (!expected.equals(log.get(path))) return null;
        return localChange(path, null);
    }

    /**
     * What a new node's first scan finds at a path it has not indexed: no change of ours, but the
     * content's own version ({@link ContentVersion}), the same on every node that has this content.
     */
    public synchronized VersionVector observed(Path path, FileState state) {
        Version old = log.get(path);
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
        Version old = log.get(path);
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
        Version now = log.get(path);
        log.put(path, state, now == null ? vector : now.vector().merge(vector), writer, takeover);
    }

    /**
     * {@link #applied}, made only if the entry is still {@code expected} (null: none), in one step:
     * a decision taken from the entry and the file as they were must not write a state read before
     * a change of this node's that the announcer indexed since (the file's newer content would be
     * left under a vector that claims to cover it).
     *
     * @return false if the entry changed since {@code expected} was read: nothing is written
     */
    public synchronized boolean appliedIfUnchanged(Path path, Version expected, FileState state, VersionVector vector,
                                                   String writer, boolean takeover) {
        if (log.get(path) != expected) return false;
        applied(path, state, vector, writer, takeover);
        return true;
    }

    /** What this node has below {@code dir}. */
    public synchronized ScopeState scope(Path dir) {
        return ScopeState.of(log.below(dir).stream().map(Map.Entry::getValue).toList());
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
        for (Map.Entry<Path, Version> e : log.below(dir)) states.put(e.getKey(), e.getValue().state());
        List<Map.Entry<Path, Version>> out = new ArrayList<>(states.size());
        states.forEach((p, state) -> {
            log.put(p, state, vector, self, true);
            out.add(Map.entry(p, log.get(p)));
        });
        return out;
    }

    /** How many paths are indexed (tombstones included). */
    public synchronized int size() {
        return log.entries().size();
    }

    /** A snapshot of every indexed path. */
    public synchronized Map<Path, Version> all() {
        return Map.copyOf(log.entries());
    }

    /**
     * The version at {@code path} takes in {@code other}'s (a conflict's losing version, now kept
     * beside it): its vector becomes the merge of both, so peers holding the loser take ours as
     * newer. Nothing changes for a path deleted here, or a vector that already covers {@code other}.
     */
    public synchronized void absorb(Path path, VersionVector other) {
        Version v = log.get(path);
        if (v == null || v.state() == null || v.vector().covers(other)) return;
        log.put(path, v.state(), v.vector().merge(other), v.writer(), v.takeover());
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
        Version v = log.get(path);
        if (v == null || v.state() == null) return null;
        VersionVector vv = v.vector().increment(self);
        log.put(path, v.state(), vv, v.writer(), v.takeover());
        return vv;
    }

    /**
     * An entry that moved to {@code to} with its directory keeps its history: {@code to} gets the
     * moved entry's state and writer, and a vector that descends from both the moved entry's and
     * what {@code to} held, so changes made to it after the move are newer everywhere. But if
     * {@code to} holds a delete the moved entry's version does not cover (a node that had the move
     * deleted the entry at its new name, and that delete came first), {@code to} gets the moved
     * entry as it was, and that delete is returned, to be applied again now: merged, the live
     * entry's vector would cover the delete's, or equal it, and the delete would never apply.
     *
     * @return the delete {@code to} held that the moved entry's version does not cover, or null
     */
    public synchronized Version carry(Path to, Version moved) {
        Version there = log.get(to);
        if (there != null && there.state() == null && !moved.vector().covers(there.vector())) {
            put(to, moved.state(), moved.vector(), moved.writer());
            return there;
        }
        movedHere(to, moved);
        return null;
    }

    /**
     * An entry that this node's own rename of its directory moved to {@code to}: {@code to} gets
     * its state and writer and a vector that descends from both the moved entry's and what
     * {@code to} held, whatever that was. Unlike a peer's rename ({@link #carry}), this one comes
     * after everything this index holds, a delete at the new name included (the directory renamed
     * away and back: chaos cluster seed 2105).
     */
    public synchronized void movedHere(Path to, Version moved) {
        Version there = log.get(to);
        put(to, moved.state(), there == null ? moved.vector() : there.vector().merge(moved.vector()), moved.writer());
    }

    /** The entries indexed below {@code dir} (not {@code dir} itself), tombstones included. */
    public synchronized Map<Path, Version> entriesBelow(Path dir) {
        Map<Path, Version> out = new HashMap<>();
        for (Map.Entry<Path, Version> e : log.below(dir)) out.put(e.getKey(), e.getValue());
        return out;
    }

    /**
     * The paths indexed below {@code dir} that are not deleted, each before the directories it is
     * in: deleting them in this order (and sending their tombstones in it) removes a directory's
     * entries before the directory, so a receiver never judges an entry by its directory's delete.
     */
    public synchronized List<Path> liveBelow(Path dir) {
        List<Path> out = new ArrayList<>();
        for (Map.Entry<Path, Version> e : log.below(dir)) {
            if (e.getValue().state() != null) out.add(e.getKey());
        }
        out.sort(Comparator.reverseOrder());
        return out;
    }
}
