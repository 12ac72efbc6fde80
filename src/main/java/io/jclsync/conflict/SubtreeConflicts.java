package io.jclsync.conflict;

import io.jclsync.cluster.wire.WireMessage;
import io.jclsync.fs.RelPath;
import io.jclsync.state.FileStates;
import io.jclsync.state.Index;
import io.jclsync.state.ScopeState;
import io.jclsync.state.VersionVector;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Subtrees decided as a unit ({@code --conflict-scope subtree:N}), when two sides of a healed
 * partition both changed one. Found in catch-up answers, which carry what the answering node has
 * below each subtree they touch (its {@link ScopeState}); if that and ours are concurrent,
 * both sides changed the subtree. Its entries from that peer are held back, and once the answer is
 * complete both nodes decide with the same two summaries (what each told the other), so they agree:
 * <ul>
 *   <li>the winner {@linkplain Index#takeOver takes the subtree over}: it announces every entry
 *       below it with a version that descends from both sides', flagged as a takeover;</li>
 *   <li>a node that receives a takeover which would change its subtree first copies the whole
 *       subtree to {@code CONFLICT_DIR/SUBTREE.sync-conflict-…} (announced and synced like any new
 *       files), then applies it like any newer version.</li>
 * </ul>
 * With per-file scope this class does nothing.
 */
public final class SubtreeConflicts {
    private static final Logger LOG = Logger.getLogger(SubtreeConflicts.class.getName());

    /** A subtree in conflict with one peer: its summary and the paths of its answer held back. */
    private record Held(ScopeState theirs, Set<Path> paths) {}

    /** What a decision asks of this node: announce {@code takeover}; {@code waiting}: another node won. */
    public record Decisions(List<WireMessage.Change> takeover, boolean waiting) {}

    private final ConflictScope scope;
    private final Index versions;
    private final ConflictPolicy policy;
    /** Counts each subtree conflict decided here. */
    private final Runnable counted;
    private final TreeCopier tree;
    /**
     * Per peer and subtree: what this node told that peer it has below it (or will tell it), since
     * the peer last joined. Both sides decide a conflict with the two summaries they exchanged.
     */
    private final Map<String, Map<RelPath, ScopeState>> told = new ConcurrentHashMap<>();
    /** Per peer answering us: the subtrees in conflict so far (apply thread; cleared from the view thread). */
    private final Map<String, Map<RelPath, Held>> held = new ConcurrentHashMap<>();
    /** Takeovers this node has kept its subtree aside for (apply thread only): subtree and version. */
    private final Set<List<Object>> keptAside = new HashSet<>();

    /** What a subtree is copied aside with before a takeover replaces it: the tree's writer. */
    public interface TreeCopier {
        /** Copies directory {@code from} to {@code to} (which must not exist), whole. */
        Copied copyTreeAside(RelPath from, RelPath to) throws IOException;
    }

    /** What {@link TreeCopier#copyTreeAside} did. */
    public enum Copied { COPIED, EXISTS, NOT_A_DIRECTORY }

    /**
     * @param counted run once per subtree conflict this node decides (the node's conflict counter)
     * @param tree    copies a subtree aside (the only writer of peers' changes)
     */
    public SubtreeConflicts(ConflictScope scope, Index versions, ConflictPolicy policy, Runnable counted, TreeCopier tree) {
        this.scope = scope;
        this.versions = versions;
        this.policy = policy;
        this.counted = counted;
        this.tree = tree;
    }

    public ConflictScope scope() {
        return scope;
    }

    /** {@code peer} (re)joined: what was told to it before is not what it will compare with now. */
    public void joined(String peer) {
        told.remove(peer);
        held.remove(peer);
    }

    /** For a part of an answer to {@code peer}: what this node has below each subtree the changes touch. */
    public List<WireMessage.Scope> summaries(String peer, List<WireMessage.Change> changes) {
        if (!scope.bySubtree()) return List.of();
        Map<RelPath, ScopeState> mine = told.computeIfAbsent(peer, p -> new ConcurrentHashMap<>());
        Map<RelPath, ScopeState> out = new LinkedHashMap<>();
        for (WireMessage.Change c : changes) {
            RelPath s = scope.scopeOf(c.path());
            if (s != null && !out.containsKey(s)) out.put(s, mine.computeIfAbsent(s, x -> versions.scope(x.toPath())));
        }
        List<WireMessage.Scope> list = new ArrayList<>();
        out.forEach((s, st) -> list.add(new WireMessage.Scope(s, st)));
        return list;
    }

    /**
     * A part of {@code peer}'s answer: returns its changes that may be applied now, holding back
     * those below a subtree that both sides changed (decided once the answer is complete).
     */
    public List<WireMessage.Change> admit(String peer, WireMessage.IndexPart part, List<WireMessage.Change> changes) {
        if (!scope.bySubtree()) return changes;
        Map<RelPath, Held> conflicts = held.computeIfAbsent(peer, p -> new LinkedHashMap<>());
        for (WireMessage.Scope s : part.scopes()) {
            if (conflicts.containsKey(s.path()) || !scope.isSubtree(s.path())) continue;
            ScopeState mine = told.computeIfAbsent(peer, p -> new ConcurrentHashMap<>())
                    .computeIfAbsent(s.path(), x -> versions.scope(x.toPath()));
            if (s.state().vector().compare(mine.vector()) == VersionVector.Order.CONCURRENT) {
                LOG.warning("conflict on subtree " + s.path() + ": it changed here and on " + peer
                        + "; decided as a unit once " + peer + "'s catch-up is complete");
                conflicts.put(s.path(), new Held(s.state(), new HashSet<>()));
            }
        }
        if (conflicts.isEmpty()) return changes;
        List<WireMessage.Change> admitted = new ArrayList<>(changes.size());
        for (WireMessage.Change c : changes) {
            Held h = conflicts.get(scope.scopeOf(c.path()));
            if (h != null) h.paths().add(c.path().toPath());
            else admitted.add(c);
        }
        return admitted;
    }

    /** {@code peer}'s answer is complete: decides each subtree in conflict with it. */
    public Decisions decide(String peer) {
        Map<RelPath, Held> conflicts = held.remove(peer);
        List<WireMessage.Change> takeover = new ArrayList<>();
        boolean waiting = false;
        if (conflicts == null) return new Decisions(takeover, false);
        Map<RelPath, ScopeState> mine = told.getOrDefault(peer, Map.of());
        for (Map.Entry<RelPath, Held> e : conflicts.entrySet()) {
            RelPath subtree = e.getKey();
            ScopeState here = mine.get(subtree);
            ScopeState there = e.getValue().theirs();
            if (here == null) {
                // The peer left and came back while its answer was being applied: the next answer decides.
                waiting = true;
                continue;
            }
            counted.run();
            Candidate me = Candidate.subtree(versions.self(), here.latestMtimeNanos(), here.files(), here.bytes(), here.vector());
            Candidate them = Candidate.subtree(peer, there.latestMtimeNanos(), there.files(), there.bytes(), there.vector());
            if (policy.subtreeWinner(subtree, me, them) == me) {
                if (versions.scope(subtree.toPath()).vector().covers(there.vector())) {
                    // A takeover announced since (against another node of that side) already covers theirs.
                    LOG.info("conflict on subtree " + subtree + ": this node's version wins over " + peer
                            + "'s, whose versions its last takeover already replaces");
                    continue;
                }
                List<Map.Entry<Path, Index.Version>> entries =
                        versions.takeOver(subtree.toPath(), there.vector(), e.getValue().paths());
                LOG.warning("conflict on subtree " + subtree + ": this node's version wins over " + peer + "'s; announcing "
                        + entries.size() + " entries that replace it (" + peer + " keeps its own under " + scope.conflictDir() + ")");
                for (Map.Entry<Path, Index.Version> v : entries) takeover.add(WireMessage.Change.of(v.getKey(), v.getValue()));
            } else {
                LOG.warning("conflict on subtree " + subtree + ": " + peer + "'s version wins; this node keeps its own under "
                        + scope.conflictDir() + " when " + peer + "'s takeover arrives");
                waiting = true;
            }
        }
        return new Decisions(takeover, waiting);
    }

    /**
     * Before a batch is applied: for each subtree a takeover in it would change here, copies the
     * subtree as it is to the conflict dir first (once per takeover).
     *
     * @return the subtrees that could not be copied: their changes must not be applied
     */
    public Set<RelPath> keepAsideBeforeTakeover(List<WireMessage.Change> changes) {
        if (!scope.bySubtree()) return Set.of();
        Set<RelPath> failed = new HashSet<>();
        for (WireMessage.Change c : changes) {
            if (!c.takeover()) continue;
            RelPath subtree = scope.scopeOf(c.path());
            if (subtree == null) continue;
            List<Object> key = List.of(subtree, c.version());
            if (keptAside.contains(key) || failed.contains(subtree)) continue;
            Index.Version mine = versions.get(c.path().toPath());
            boolean replaces = mine != null && mine.state() != null && !FileStates.same(mine.state(), c.state());
            if (!replaces) continue;
            keptAside.add(key);
            try {
                keepAside(subtree);
            } catch (IOException e) {
                // Applying the takeover would lose this side's version: leave the subtree alone.
                LOG.warning("cannot keep subtree " + subtree + " aside before a takeover (" + e + "); not applying it");
                keptAside.remove(key);
                failed.add(subtree);
            }
        }
        return failed;
    }

    private void keepAside(RelPath subtree) throws IOException {
        ScopeState here = versions.scope(subtree.toPath());
        RelPath name = ConflictCopies.subtreeCopyOf(scope.conflictDir(), subtree, here.latestMtimeNanos(),
                here.latestWriter().isEmpty() ? versions.self() : here.latestWriter());
        // Copied in the staging dir (never watched), then moved in whole: the watcher announces it as new files.
        switch (tree.copyTreeAside(subtree, name)) {
            case COPIED -> LOG.warning("subtree " + subtree + " (this node's version) is kept as " + name);
            case EXISTS -> LOG.info("subtree " + subtree + " is already kept as " + name);
            case NOT_A_DIRECTORY -> { }
        }
    }
}
