package io.jclsync.apply;

import io.jclsync.beneath.NotBeneathException;
import io.jclsync.cluster.TransferAccess;
import io.jclsync.cluster.wire.WireMessage;
import io.jclsync.conflict.ConflictPolicy;
import io.jclsync.conflict.Resolution;
import io.jclsync.conflict.SubtreeConflicts;
import io.jclsync.conflict.TypeChange;
import io.jclsync.fs.FileType;
import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import io.jclsync.state.FileStates;
import io.jclsync.state.Index;
import io.jclsync.state.VersionVector;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Applies a peer's batch to the local tree: what each change does here is decided by
 * {@link Resolution}; deletes ({@link PeerDeletes}), renames ({@link PeerRenames}), directories and symlinks are applied directly (through
 * {@link LocalTree}, which registers every write with the echo filter), file contents are handed
 * to the {@link Puller}: one rsync per batch. Runs on one thread.
 */
public final class Applier {
    private static final Logger LOG = Logger.getLogger(Applier.class.getName());
    private final Counters counters;
    private final Index versions;
    private final ConflictPolicy policy;
    private final LocalTree tree;
    private final Puller puller;
    private final SubtreeConflicts subtrees;
    /** What a peer's deletes may remove here, and what they leave (announced from here). */
    private final PeerDeletes deletes;
    private final PeerRenames renames;

    /** What the batches make here that this node announces as its own. */
    private final KeptHere keptHere;

    /**
     * How to apply a change: the version the path has once it is applied, and the local state
     * {@link #resolve} found (so the file is not read and hashed a second time).
     */
    private record Plan(VersionVector vector, String writer, FileState local, boolean takeover) {}

    /** @param access how this node pulls: its transfer key, the tree's rsync module on every node and the password */
    public Applier(LocalTree tree, Counters counters, TransferAccess access, Index versions,
            ConflictPolicy policy, SubtreeConflicts subtrees) {
        this.policy = policy;
        this.subtrees = subtrees;
        this.tree = tree;
        this.puller = new Puller(tree, counters, access, versions);
        this.counters = counters;
        this.versions = versions;
        this.deletes = new PeerDeletes(tree, versions);
        this.renames = new PeerRenames(tree, versions);
        this.keptHere = new KeptHere(tree, versions);
    }

    /**
     * @param sources nodes to pull from (transfer endpoint and key): the origin first, then other
     *                nodes', tried when the origin fails (what they send is checked like the rest);
     *                asked again at that moment, so that nodes which said hello meanwhile are tried
     * @return false if files could not be pulled from anyone, or a change could not be applied here (they stay
     *     missing here until announced again, or until the next catch-up with the origin)
     */
    public boolean apply(WireMessage.Batch batch, Supplier<List<Puller.Source>> sources) throws InterruptedException {
        counters.batchesReceived.incrementAndGet();
        (batch.part() == null ? counters.changesReceived : counters.catchUpEntriesReceived)
                .addAndGet(batch.changes().size());
        if (LOG.isLoggable(Level.FINE) && !batch.changes().isEmpty()) {
            LOG.fine(WireMessage.Change.describe("applying " + batch.changes().size() + " change(s) of " + batch.origin()
                    + (batch.part() == null ? "#" + batch.sequence() : "'s catch-up answer") + ":", batch.changes()));
        }
        Map<RelPath, Puller.Pull> pull = new LinkedHashMap<>();
        Map<RelPath, VersionVector> tombstones = new HashMap<>();
        for (WireMessage.Change c : batch.changes()) {
            if (c.kind() == WireMessage.Kind.DELETE) tombstones.put(c.path(), c.version());
        }
        Set<RelPath> notKept = subtrees.keepAsideBeforeTakeover(batch.changes());
        // A change refused or failed here (a parent that is a file here for now, a full disk) leaves
        // the batch incomplete: a catch-up answer's position is then not taken, and the entry comes
        // again at the next catch-up, when the tree may take it (chaos cluster seed 1524's replay).
        boolean failed = false;
        for (WireMessage.Change c : batch.changes()) {
            if (!notKept.isEmpty() && notKept.contains(subtrees.scope().scopeOf(c.path()))) continue;
            try {
                if (!tree.allowed(c.path()) || (c.oldPath() != null && !tree.allowed(c.oldPath()))) {
                    counters.refusedWrites.incrementAndGet();
                    continue;
                }
                Plan plan = resolve(c, batch.origin(), pull);
                if (plan != null) apply(c, pull, plan, tombstones);
            } catch (NotBeneathException e) {
                failed = true;
                counters.refusedWrites.incrementAndGet();
                LOG.warning("refused " + c.kind() + " of " + c.path() + " from " + batch.origin() + ": " + e.getMessage());
            } catch (IOException e) {
                failed = true;
                LOG.warning("could not apply " + c.kind() + " of " + c.path() + " from " + batch.origin() + ": " + e);
            }
        }
        boolean complete = (pull.isEmpty() || puller.pull(batch.origin(), sources, pull)) && notKept.isEmpty() && !failed;
        for (Puller.Copy copy : puller.takeCopiesPlaced()) {
            try {
                keptHere.copy(copy.at(), copy.state());
            } catch (IOException e) {
                LOG.warning("cannot announce the conflict copy " + copy.at() + " placed here: " + e);
            }
        }
        keptHere.addAll(deletes.announceKept());
        keptHere.announceSettled();
        counters.save();
        return complete;
    }

    /**
     * Carries out what {@link Resolution} decides for the change: a conflict's loser is kept beside
     * the winner as {@code NAME.sync-conflict-YYYYMMDD-HHMMSS-NODE-HASH.EXT}. Nothing is lost; a
     * concurrent delete never removes a changed file. A decision between concurrent versions is
     * announced once settled in place (see {@link KeptHere#announceSettled}).
     *
     * @return how to apply the change as it is, or null to leave the path alone
     */
    private Plan resolve(WireMessage.Change c, String sender, Map<RelPath, Puller.Pull> pull) throws IOException {
        String origin = c.writer() != null ? c.writer() : sender;
        for (int attempt = 1; ; attempt++) {
            // The entry is read before the file: a change of this node's the announcer indexes after
            // this read makes the outcomes that only write the index decide again (Index#appliedIfUnchanged).
            Index.Version mine = versions.get(c.path().toPath());
            FileState local = tree.state(c.path(), null);
            Resolution r = Resolution.of(c, origin, local, mine, versions.self(), policy);
            Plan plan = carryOut(r, c, origin, local, mine, pull);
            if (plan == DECIDE_AGAIN) {
                if (attempt < 3) continue;
                LOG.info(c.path() + " keeps changing here while " + origin + "'s version is decided: left to its next announcement");
                return null;
            }
            if (r.decided()) keptHere.decided(c.path(), c.version());
            return plan;
        }
    }

    /** {@link #carryOut}'s answer when the entry changed since it was read: decide again. */
    private static final Plan DECIDE_AGAIN = new Plan(null, null, null, false);

    /** @return how to apply the change as it is, null when {@code r} is done with it here, or {@link #DECIDE_AGAIN} */
    private Plan carryOut(Resolution r, WireMessage.Change c, String origin, FileState local, Index.Version mine,
                          Map<RelPath, Puller.Pull> pull) throws IOException {
        Path rel = c.path().toPath();
        if (r instanceof Resolution.Take t) {
            return new Plan(t.version(), t.writer(), local, t.takeover());
        }
        if (r instanceof Resolution.RecordDelete d) {
            if (!versions.appliedIfUnchanged(rel, mine, null, d.version(), d.writer(), d.takeover())) return DECIDE_AGAIN;
        } else if (r instanceof Resolution.DirectoryMode m) {
            if (m.theirs()) return new Plan(m.version(), m.writer(), local, false);
            if (!versions.appliedIfUnchanged(rel, mine, local, m.version(), m.writer(), false)) return DECIDE_AGAIN;
        } else if (r instanceof Resolution.AlreadyHere h) {
            tree.alreadyHere(c.path(), local);
            if (!versions.appliedIfUnchanged(rel, mine, local, h.version(), h.writer(), h.takeover())) return DECIDE_AGAIN;
        } else if (r instanceof Resolution.KeepAgainstDelete k) {
            if (!versions.appliedIfUnchanged(rel, mine, local, k.version(), k.writer(), false)) return DECIDE_AGAIN;
            LOG.warning("conflict on " + c.path() + ": " + origin + " deleted it while it changed here; keeping it");
            deletes.keep(c.path(), k.version());
        } else if (r instanceof Resolution.TheirsWin w) {
            counters.conflicts.incrementAndGet();
            LOG.warning("conflict on " + c.path() + ": " + origin + "'s version wins; this node's ("
                    + w.localWriter() + ") is kept as " + w.aside());
            // A copy, not a rename: it is announced as a new file, so every node ends up with it
            // even if its own pull of this version fails.
            tree.aside().copyAside(c.path(), w.aside(), local);
            keptHere.copy(w.aside(), local);
            return new Plan(w.version(), w.writer(), local, false);
        } else if (r instanceof Resolution.OursWin w) {
            boolean directory = c.state().type() != FileType.FILE && c.state().type() != FileType.SYMLINK;
            if (directory && !versions.appliedIfUnchanged(rel, mine, local, w.version(), w.localWriter(), false)) {
                return DECIDE_AGAIN;
            }
            counters.conflicts.incrementAndGet();
            LOG.warning("conflict on " + c.path() + ": this node's version (" + w.localWriter() + ") wins; " + origin
                    + "'s is kept as " + w.aside());
            if (c.state().type() == FileType.FILE) {
                // The index is left as it is: our version takes in theirs once their file is kept
                // here (see Puller.Pull#winner); a change made here since it was last announced
                // is still one, for the watcher (or a rescan) to announce.
                pull.put(c.path(), new Puller.Pull(w.aside(), c.state(), VersionVector.of(origin, 1), origin, false, null, true,
                        c.path(), c.version()));
            } else if (c.state().type() == FileType.SYMLINK) {
                // A link is kept at once: made beside ours and announced, then ours takes in its version.
                tree.symlink(w.aside(), c.state());
                keptHere.copy(w.aside(), c.state());
                versions.absorb(rel, c.version());
            }
        }
        return null;
    }

    /** @param tombstones the batch's deletes: what the origin knew below a directory it renamed */
    private void apply(WireMessage.Change c, Map<RelPath, Puller.Pull> pull, Plan plan,
                       Map<RelPath, VersionVector> tombstones) throws IOException {
        // A directory or link is indexed once it is made: indexed first, the announcer's walk of
        // its parent (on its own thread) could find it indexed and not there yet, and announce its
        // delete. What is made is expected by the echo filter first, so the walk does not announce
        // it as this node's either. Deletes are indexed first, files once pulled (Puller).
        boolean indexOnceMade = c.state() != null
                && (c.state().type() == FileType.DIRECTORY || c.state().type() == FileType.SYMLINK);
        if (c.state() == null || c.state().type() != FileType.FILE && !indexOnceMade) {
            versions.applied(c.path().toPath(), c.state(), plan.vector(), plan.writer(), plan.takeover());
        }
        FileState local = plan.local();
        if (c.kind() == WireMessage.Kind.DELETE) {
            if (local != null) deletes.deleteKnown(c.path(), c.version(), plan.writer(), tombstones);
            return;
        }
        if (c.kind() == WireMessage.Kind.RENAME && local == null) {
            FileState moved = renames.move(c, tombstones);
            if (moved != null) local = moved;
            for (WireMessage.Change d : renames.takeDisplaced()) {
                Plan again = resolve(d, d.writer(), pull);
                if (again != null) apply(d, pull, again, tombstones);
            }
        }
        FileState want = c.state();
        if (TypeChange.replacesDirectory(local, want)) {
            if (!emptiedForTypeChange(c, plan, tombstones, pull)) {
                if (indexOnceMade) versions.applied(c.path().toPath(), want, plan.vector(), plan.writer(), plan.takeover());
                return;
            }
            local = null;
        }
        if (FileStates.same(local, want)) {
            // Already here (moved here with a directory the peer renamed, say): nothing is written,
            // but what the watcher reports of it is the peer's version, not a change of this node's.
            tree.alreadyHere(c.path(), want);
            versions.applied(c.path().toPath(), want, plan.vector(), plan.writer(), plan.takeover());
            return;
        }
        switch (want.type()) {
            case DIRECTORY -> {
                boolean isDir = local != null && local.type() == FileType.DIRECTORY;
                if (local != null && !isDir) tree.delete(c.path());
                tree.directory(c.path(), want, isDir);
                versions.applied(c.path().toPath(), want, plan.vector(), plan.writer(), plan.takeover());
            }
            case SYMLINK -> {
                tree.symlink(c.path(), want);
                versions.applied(c.path().toPath(), want, plan.vector(), plan.writer(), plan.takeover());
            }
            case FILE -> {
                if (local != null && local.type() == FileType.FILE && Arrays.equals(local.sha256(), want.sha256())) {
                    tree.stamp(c.path(), want); // same bytes: only mode and mtime differ
                    versions.applied(c.path().toPath(), want, plan.vector(), plan.writer(), plan.takeover());
                } else {
                    pull.put(c.path(), new Puller.Pull(c.path(), want, plan.vector(), plan.writer(), plan.takeover(), local, false));
                }
            }
            default -> { }
        }
    }

    /**
     * A directory here became a file or a link at the origin: carried out as {@link TypeChange}
     * decides once the origin's delete of the directory is applied.
     *
     * @return whether the directory is gone and the new entry can take its place
     */
    private boolean emptiedForTypeChange(WireMessage.Change c, Plan plan, Map<RelPath, VersionVector> tombstones,
                                         Map<RelPath, Puller.Pull> pull) throws IOException {
        deletes.deleteKnown(c.path(), c.version(), plan.writer(), tombstones);
        FileState want = c.state();
        TypeChange change = TypeChange.of(c.path(), want, plan.vector(), plan.writer(), tree.state(c.path(), null));
        if (!(change instanceof TypeChange.KeepBoth keep)) {
            // The delete tombstoned the path in the index; the new entry's version takes it (a file's once pulled).
            if (want.type() != FileType.FILE) versions.applied(c.path().toPath(), want, plan.vector(), plan.writer(), plan.takeover());
            return true;
        }
        RelPath aside = keep.aside();
        LOG.warning("conflict on " + c.path() + ": " + plan.writer() + " replaced the directory by a "
                + want.type().name().toLowerCase() + ", but entries below it here are kept (changed here, or never seen "
                + "there); that version is kept as " + aside);
        counters.conflicts.incrementAndGet();
        deletes.keep(c.path(), c.version());
        if (want.type() == FileType.SYMLINK) {
            tree.symlink(aside, want);
            keptHere.add(new WireMessage.Change(aside, WireMessage.Kind.MODIFY, null, want,
                    versions.localChange(aside.toPath(), want)));
        } else if (want.type() == FileType.FILE) {
            // Pulled as a copy (the origin's file at the path, placed at the copy's name): announced
            // from here like a new file once it is in place.
            pull.put(c.path(), new Puller.Pull(aside, want, keep.copyVersion(), plan.writer(), false, null, true));
        }
        return false;
    }

    /** What the batches applied so far kept here (copies, against deletes, decided), to announce; cleared. */
    public List<WireMessage.Change> takeKept() {
        return keptHere.take();
    }
}
