package io.jclsync.apply;

import io.jclsync.cluster.wire.WireMessage;
import io.jclsync.conflict.PeerDelete;
import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import io.jclsync.state.FileStates;
import io.jclsync.state.Index;
import io.jclsync.state.VersionVector;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * A peer's deletes carried out as {@link PeerDelete} decides: below a deleted directory only what
 * the deleting node had goes; what changed here, or what it never saw, stays (with the directories
 * leading to it) and is announced from here, newer than the delete. Used by the {@link Applier}, on
 * its thread.
 */
final class PeerDeletes {
    private static final Logger LOG = Logger.getLogger(PeerDeletes.class.getName());
    private final LocalTree tree;
    private final Index versions;
    /**
     * What a peer's delete left here (changed here, or a version the peer never saw), with the
     * delete's vector: once the whole batch is applied (a directory's delete may come before its
     * entries' own tombstones, which remove what the peer did know), what is still here is
     * announced from here, newer than the delete.
     */
    private final Map<RelPath, VersionVector> keptAgainstDeletes = new LinkedHashMap<>();

    PeerDeletes(LocalTree tree, Index versions) {
        this.tree = tree;
        this.versions = versions;
    }

    /**
     * Deletes {@code rel} for a peer, but below a directory only what the deleting node had: files
     * whose version its own tombstone in the batch covers and that have not changed here since, and
     * directories left empty that it had (or that were never indexed). A file changed or created
     * here, or a file or directory the peer never saw, is kept (with the directories leading to
     * it), and announced from here as usual. Everything deleted is deleted in the index.
     * Versions count changes of one path: an entry below is judged by its own tombstone, never by
     * the directory's vector.
     *
     * @param tombstones the batch's deletes, by path: the deleter sends one for each entry it had below
     */
    void deleteKnown(RelPath rel, VersionVector deleteVector, String writer,
                             Map<RelPath, VersionVector> tombstones) throws IOException {
        List<RelPath> kept = tree.deleteBelow(rel, (r, readable, directory) -> {
            Index.Version known = versions.get(r.toPath());
            VersionVector gone = PeerDelete.tombstoneOf(r, rel, deleteVector, tombstones);
            FileState now = directory ? null : FileStates.of(readable, known == null ? null : known.state());
            // Kept against its own tombstone earlier in the batch (changed here): its index entry now
            // covers that tombstone, but it stays all the same (chaos cluster seed 226).
            boolean goes = !keptAgainstDeletes.containsKey(r) && PeerDelete.goes(directory, now, known, gone);
            // What goes is deleted in the index too, or its live entry would bring it back (catch-up answers).
            if (goes && known != null && known.state() != null) {
                versions.applied(r.toPath(), null, PeerDelete.deletedVersion(known, gone), writer);
            }
            if (!goes) keep(r, PeerDelete.keptAgainst(gone));
            return goes;
        });
        if (!kept.isEmpty()) {
            LOG.warning("a peer deleted " + rel + ", but " + kept.size() + " file(s) below it changed here and are kept, "
                    + "e.g. " + kept.get(0));
        }
        // The directories leading to what stays stay too, and are announced with it as they are
        // here (mode, owner): a node that applied the delete would otherwise make them again as
        // bare parents of the kept entries, and the trees would differ in their modes for good.
        for (RelPath d : PeerDelete.directoriesLeadingTo(rel, List.copyOf(keptAgainstDeletes.keySet()))) {
            keep(d, PeerDelete.keptAgainst(PeerDelete.tombstoneOf(d, rel, deleteVector, tombstones)));
        }
    }

    /**
     * A path a peer deleted that stays here (changed here, or a version the peer never saw): it is
     * announced from here as a new version of this node's, newer than the delete, so the peer and
     * every other node that applied the delete get it back, and all end with the same tree.
     */
    void keep(RelPath rel, VersionVector delete) {
        keptAgainstDeletes.merge(rel, delete, VersionVector::merge);
    }

    /**
     * What the batch's deletes kept and is still here (see {@link #keptAgainstDeletes}), as changes
     * of this node's to announce, each directory before what is below it (in the batch and in the
     * index's order, which catch-up answers follow): a node where the directory is a file by now
     * refuses an entry below it that comes first; forgotten here.
     */
    List<WireMessage.Change> announceKept() {
        List<WireMessage.Change> keptHere = new ArrayList<>();
        List<Map.Entry<RelPath, VersionVector>> parentsFirst = new ArrayList<>(keptAgainstDeletes.entrySet());
        parentsFirst.sort(Map.Entry.comparingByKey(RelPath.PARENTS_FIRST));
        for (Map.Entry<RelPath, VersionVector> e : parentsFirst) {
            Path rel = e.getKey().toPath();
            Index.Version known = versions.get(rel);
            try {
                FileState state = tree.state(e.getKey(), known == null ? null : known.state());
                if (state == null) continue; // a later tombstone of the batch removed it after all
                versions.applied(rel, state, PeerDelete.keptVersion(known, e.getValue()), versions.self());
                keptHere.add(new WireMessage.Change(e.getKey(), WireMessage.Kind.MODIFY, null, state, versions.localChange(rel, state)));
            } catch (IOException ex) {
                LOG.fine("not announcing " + e.getKey() + ", kept against a delete: " + ex);
            }
        }
        keptAgainstDeletes.clear();
        return keptHere;
    }
}
