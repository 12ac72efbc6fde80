package io.jclsync.apply;

import io.jclsync.cluster.wire.WireMessage;
import io.jclsync.conflict.PeerRename;
import io.jclsync.fs.FileType;
import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import io.jclsync.state.Index;
import io.jclsync.state.VersionVector;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * A peer's renames carried out as {@link PeerRename} decides: only what the origin renamed moves;
 * anything else stays put for the delete of the old path to decide, and the new path's content is
 * pulled. Used by the {@link Applier}, on its thread.
 */
final class PeerRenames {
    private static final Logger LOG = Logger.getLogger(PeerRenames.class.getName());
    private final LocalTree tree;
    private final Index versions;
    /** Deletes of new names that a move displaced (see {@link #carryBelow}), for the applier to apply again. */
    private final List<WireMessage.Change> displaced = new ArrayList<>();

    PeerRenames(LocalTree tree, Index versions) {
        this.tree = tree;
        this.versions = versions;
    }

    /**
     * Moves what is at {@code c}'s old path to its new one (nothing is there yet), if it is what the
     * origin renamed.
     *
     * @param tombstones the batch's deletes: what the origin knew below a directory it renamed
     * @return what moved (now at the new path), or null if nothing did
     */
    FileState move(WireMessage.Change c, Map<RelPath, VersionVector> tombstones) throws IOException {
        Index.Version known = versions.get(c.oldPath().toPath());
        FileState old = tree.state(c.oldPath(), known == null ? null : known.state());
        PeerRename move = PeerRename.of(c.oldPath(), old, known, c.state(), old != null && old.type() == FileType.DIRECTORY
                ? versions.entriesBelow(c.oldPath().toPath()) : Map.of(), tombstones);
        if (move.changedBelow() != null) {
            LOG.info("not moving " + c.oldPath() + " for a peer's rename: " + move.changedBelow() + " below it changed "
                    + "concurrently; the new directory's contents are pulled instead");
        }
        if (!move.moves()) return null;
        if (!tree.rename(c.oldPath(), c.path(), old)) {
            LOG.info(c.path() + " appeared here while " + c.oldPath() + " was renamed to it; not renaming over it");
            return null; // the pull of the new path decides
        }
        // What moved with the directory keeps its versions under the new names, as on the origin
        // (Index.carry): the origin's changes made after the rename are newer.
        if (old.type() == FileType.DIRECTORY) carryBelow(c.oldPath(), c.path());
        // The old name's entry is left to what follows in the batch: its delete, at the origin's
        // version of it, or what the origin made there right after the rename. A tombstone made up
        // here (the new name's version) could equal that new entry's version, which would then
        // look stale (chaos cluster seed 155).
        return old;
    }

    /**
     * Indexes what is below directory {@code from} (moved to {@code to}) under its new names, with
     * its versions. A new name may hold a delete already: a node that had the rename deleted the
     * entry there, and its delete arrived first (chaos cluster seed 1524). That delete is handed
     * back ({@link #takeDisplaced}) to be applied to what moved, as if it came after: what it covers
     * goes, what changed since stays and is announced as newer.
     */
    private void carryBelow(RelPath from, RelPath to) {
        Path f = from.toPath();
        Path t = to.toPath();
        List<WireMessage.Change> again = new ArrayList<>();
        for (Map.Entry<Path, Index.Version> e : versions.entriesBelow(f).entrySet()) {
            Index.Version v = e.getValue();
            if (v.state() == null) continue;
            Path target = t.resolve(f.relativize(e.getKey()));
            Index.Version deleted = versions.carry(target, v);
            if (deleted != null) again.add(WireMessage.Change.of(target, deleted));
        }
        again.sort(Comparator.comparing(WireMessage.Change::path, Comparator.comparing(RelPath::toPath)).reversed());
        displaced.addAll(again); // what is below a directory first
    }

    /** The deletes the last moves displaced, deepest first; cleared. */
    List<WireMessage.Change> takeDisplaced() {
        List<WireMessage.Change> out = List.copyOf(displaced);
        displaced.clear();
        return out;
    }
}
