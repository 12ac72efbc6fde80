package io.jclsync.replica;

import io.jclsync.apply.Counters;

import io.jclsync.batch.Batch;
import io.jclsync.batch.ChangeKind;
import io.jclsync.cluster.wire.WireMessage;
import io.jclsync.echo.EchoFilter;
import io.jclsync.state.FileState;
import io.jclsync.state.FileStates;
import io.jclsync.state.Index;
import io.jclsync.state.VersionVector;
import io.jclsync.filter.Filter;
import io.jclsync.fs.FileType;
import io.jclsync.fs.RelPath;
import io.jclsync.transfer.Outcome;
import io.jclsync.transfer.Transfer;
import io.jclsync.transfer.TransferResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The cluster mode's transfer: turns a local batch into announcements. Each path's state is read
 * (and files hashed) now; paths whose state is what a peer's change just produced are echoes and
 * are dropped ({@link LocalStates}). A directory entry stands for its whole subtree, which is
 * walked ({@link TreeWalk}, which also makes a full scan).
 */
public final class Announcer implements Transfer {
    private static final Logger LOG = Logger.getLogger(Announcer.class.getName());
    static final int CHANGES_PER_MESSAGE = 10_000;

    interface Sender {
        void send(List<WireMessage.Change> changes) throws Exception;
    }

    private final Path root;
    private final String node;
    private final Supplier<Filter> filter;
    private final EchoFilter echoes;
    private final Counters counters;
    private final Sender sender;
    private final Index versions;
    private final Runnable scanned;
    private final LocalStates states;
    /** Directory entries and full scans: a subtree compared with the index. */
    private final TreeWalk walk;

    Announcer(Path root, String node, Supplier<Filter> filter, EchoFilter echoes, Counters counters,
              Index versions, Sender sender, Runnable scanned) {
        this.versions = versions;
        this.scanned = scanned;
        this.root = root;
        this.node = node;
        this.filter = filter;
        this.echoes = echoes;
        this.counters = counters;
        this.sender = sender;
        this.states = new LocalStates(root, echoes, versions);
        this.walk = new TreeWalk(root, filter, echoes, counters, versions, states);
    }

    @Override
    public TransferResult run(Batch batch) throws InterruptedException {
        List<WireMessage.Change> changes = new ArrayList<>();
        try {
            if (batch.full()) {
                walk.walk(Path.of(""), changes, true, false, new HashSet<>());
            } else {
                Set<Path> done = new HashSet<>();
                Set<Path> echoedRenames = new HashSet<>();
                for (Batch.Rename r : batch.renames()) rename(r, changes, done, echoedRenames);
                for (Batch.Entry e : batch.entries()) {
                    if (done.add(e.path())) entry(e.path(), e.kind(), changes, done);
                    // A directory a peer renamed here moved with its contents, which are not announced;
                    // what was made or changed in it since (folded into its entry) is.
                    if (e.isDirectory()) walk.walk(e.path(), changes, false, echoedRenames.contains(e.path()), done);
                }
            }
            announce(changes);
            if (LOG.isLoggable(java.util.logging.Level.FINE) && !changes.isEmpty()) {
                LOG.fine(WireMessage.Change.describe("announced " + changes.size() + " change(s):", changes));
            }
            if (batch.full()) scanned.run();
            counters.save();
            return TransferResult.ok(0, 0, 0);
        } catch (IOException e) {
            return new TransferResult(Outcome.RETRY, -1, 0, 0, 0, "cannot read local state: " + e.getMessage());
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return new TransferResult(Outcome.RETRY, -1, 0, 0, 0, "cannot announce to the cluster: " + e);
        }
    }

    /**
     * Sends {@code changes} as live batches of at most {@link #CHANGES_PER_MESSAGE}, and counts
     * them: the watcher's, and changes made to the index here (a subtree takeover).
     */
    void announce(List<WireMessage.Change> changes) throws Exception {
        for (int from = 0; from < changes.size(); from += CHANGES_PER_MESSAGE) {
            List<WireMessage.Change> part = changes.subList(from, Math.min(changes.size(), from + CHANGES_PER_MESSAGE));
            sender.send(part);
            counters.batchesAnnounced.incrementAndGet();
            counters.changesAnnounced.addAndGet(part.size());
        }
    }

    private void rename(Batch.Rename r, List<WireMessage.Change> out, Set<Path> done, Set<Path> echoed)
            throws IOException {
        FileState state = states.readable(r.to(), null);
        if (state == LocalStates.UNREADABLE) return;
        if (state == null || !filter.get().accepts(r.to(), state.type())) return;
        // A peer's rename applied here expects both names (LocalTree.rename). The new name alone may
        // match what a peer's change made there (an empty directory: its state is its mode) when a
        // local rename replaced it: that rename is this node's.
        if (echoes.isEcho(r.to(), state) && echoes.isEcho(r.from(), null)) {
            echoed.add(r.to());
            counters.echoesSuppressed.incrementAndGet();
        } else {
            List<Path> below = versions.liveBelow(r.from());
            Map<Path, Index.Version> was = new java.util.HashMap<>();
            for (Path b : below) was.put(b, versions.get(b));
            // Something may be at the old name again by now: a peer's version pulled there after the
            // rename (its change was concurrent with it), indexed as that peer's. It is not what moved,
            // and it is not deleted: only what is gone from the old name is tombstoned.
            boolean oldGone = FileType.lstat(root.resolve(r.from())).isEmpty();
            if (oldGone) localDelete(r.from());
            // A peer that has the old directory as it was moves it whole for a rename. If something
            // that was below it is not below the new name any more (deleted, or moved on, before
            // this batch), that peer would keep it there: such a never-indexed path's delete is no
            // change to send. So the new directory is announced as new instead (its entries by the
            // walk that follows), after the old one's tombstones: peers take what is there now.
            boolean asRename = !oldGone || state.type() != FileType.DIRECTORY || allMoved(r, below);
            if (asRename) {
                out.add(new WireMessage.Change(RelPath.of(r.to()), WireMessage.Kind.RENAME, RelPath.of(r.from()), state,
                        versions.localChange(r.to(), state)));
            } else {
                LOG.fine(() -> r.from() + " renamed to " + r.to() + " and changed inside before it was announced: sent as a new directory");
            }
            // What was indexed below the old name is gone from there: each entry's tombstone goes
            // with the rename, or peers' indexes (and their catch-up answers) keep it alive.
            for (Path b : below) {
                if (!oldGone) {
                    if (FileType.lstat(root.resolve(b)).isPresent()) continue;
                    localDelete(b);
                }
                if (done.add(b)) out.add(new WireMessage.Change(RelPath.of(b), WireMessage.Kind.DELETE, null, null,
                        versions.get(b).vector()));
                if (asRename && state.type() == FileType.DIRECTORY) carry(r.to().resolve(r.from().relativize(b)), was.get(b));
            }
            // The old name's tombstone goes with the rename (after those below it): peers record the
            // delete at this node's version of it, never at one of their own making.
            Index.Version gone = oldGone ? versions.get(r.from()) : null;
            if (gone != null && gone.state() == null && done.add(r.from())) {
                out.add(new WireMessage.Change(RelPath.of(r.from()), WireMessage.Kind.DELETE, null, null, gone.vector()));
            }
            if (!oldGone) takenAgain(r.from(), state, out, done);
            if (!asRename) {
                out.add(new WireMessage.Change(RelPath.of(r.to()), WireMessage.Kind.MODIFY, null, state,
                        versions.localChange(r.to(), state)));
            }
        }
        // The old path is still looked at as an entry: something new may have taken its place.
        done.add(r.to());
    }

    /**
     * The old name of a rename holds something again (made here since, or a peer's version placed
     * there after the rename). A peer moves what it has at the old name for the rename if it is a
     * directory, or the renamed content ({@code conflict.PeerRename}): if what is here now could be
     * taken for that, it is announced as a new version of this node's, even with the state
     * indexed, since a peer that moved its copy away takes it back only if it is newer (chaos
     * cluster seed 202: a directory made again with the same mode). Anything else is announced as
     * any entry is, if it changed here, or by the peer whose version it is.
     */
    private void takenAgain(Path old, FileState renamed, List<WireMessage.Change> out, Set<Path> done)
            throws IOException {
        FileState now = states.readable(old, null);
        if (now == LocalStates.UNREADABLE || now == null || !filter.get().accepts(old, now.type())) return;
        if (now.type() != FileType.DIRECTORY && !FileStates.sameContent(now, renamed)) return;
        if (done.add(old)) out.add(new WireMessage.Change(RelPath.of(old), WireMessage.Kind.MODIFY, null, now,
                versions.localChange(old, now)));
    }

    /**
     * An entry that moved with its directory keeps its history: its new name's version descends
     * from the old name's (the walk that follows announces it with this node's counter bumped). A
     * peer that moves its directory for the rename carries its entries' versions the same way
     * (Applier), so a change made here after the rename is newer there, not concurrent.
     */
    private void carry(Path to, Index.Version old) throws IOException {
        if (old == null || old.state() == null || FileType.lstat(root.resolve(to)).isEmpty()) return;
        versions.movedHere(to, old);
    }

    /** Whether each of {@code below} (indexed below the rename's old name) is below its new name now. */
    private boolean allMoved(Batch.Rename r, List<Path> below) throws IOException {
        for (Path b : below) {
            if (FileType.lstat(root.resolve(r.to().resolve(r.from().relativize(b)))).isEmpty()) return false;
        }
        return true;
    }

    /** @param done paths already in {@code out} (a path may appear once per batch); updated */
    private void entry(Path rel, ChangeKind kind, List<WireMessage.Change> out, Set<Path> done) throws IOException {
        FileState state = states.readable(rel, states.hint(rel));
        if (state == LocalStates.UNREADABLE) return;
        if (echoes.isEcho(rel, state)) {
            counters.echoesSuppressed.incrementAndGet();
            return;
        }
        if (state == null) {
            // A deleted directory: each file indexed below it gets its own tombstone, first, so a
            // peer decides file by file (one it changed meanwhile is kept).
            List<Path> below = versions.liveBelow(rel);
            // Made and deleted between two batches (a temporary file): no node was told of it.
            if (versions.get(rel) == null && below.isEmpty()) return;
            VersionVector vv = localDelete(rel);
            for (Path b : below) {
                if (done.add(b)) out.add(new WireMessage.Change(RelPath.of(b), WireMessage.Kind.DELETE, null, null, versions.get(b).vector()));
            }
            out.add(new WireMessage.Change(RelPath.of(rel), WireMessage.Kind.DELETE, null, null, vv));
        } else if (filter.get().accepts(rel, state.type())) {
            WireMessage.Kind k = kind == ChangeKind.CREATE ? WireMessage.Kind.CREATE : WireMessage.Kind.MODIFY;
            out.add(new WireMessage.Change(RelPath.of(rel), k, null, state, versions.localChange(rel, state)));
        }
    }

    /**
     * {@code rel} (and all below it) is gone by this node's change: tombstoned in the index, and no
     * longer what a peer wrote for the echo filter.
     */
    private VersionVector localDelete(Path rel) {
        echoes.forget(rel);
        return versions.localChange(rel, null);
    }
}
