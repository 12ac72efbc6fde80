package io.jclsync.conflict;

import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import io.jclsync.state.FileStates;
import io.jclsync.state.Index;
import io.jclsync.state.VersionVector;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What a peer's delete takes here and what it leaves, as functions of what each side has: below a
 * deleted directory only what the deleting node had goes, judged entry by entry with the entry's
 * own tombstone in the batch (versions count the changes of one path, so never by the directory's
 * vector). What changed here, or what the deleter never saw, stays, with the directories leading
 * to it, and is announced from here as newer than the delete. {@code apply.PeerDeletes} carries it out.
 */
public final class PeerDelete {
    private PeerDelete() {}

    /**
     * The version the deleting node had of {@code path}: the delete's own vector for the path it
     * deleted, else the tombstone its batch carries for {@code path} (the deleter sends one for each
     * entry it had below); null when it had none (it never saw the path).
     *
     * @param tombstones the batch's deletes, by path
     */
    public static VersionVector tombstoneOf(RelPath path, RelPath deleted, VersionVector deleteVector,
                                            Map<RelPath, VersionVector> tombstones) {
        return path.equals(deleted) ? deleteVector : tombstones.get(path);
    }

    /**
     * Whether an entry at or below the deleted path goes.
     * <ul>
     *   <li>A file or link goes only if the index knows it, the deleter's tombstone {@code gone}
     *       covers our version, and it has not changed here since it was indexed ({@code now}).</li>
     *   <li>A directory (empty by now: what stays below it keeps it) goes unless it is a version
     *       the deleting node never saw: not indexed, or deleted in the index, it goes too.</li>
     * </ul>
     *
     * @param now   what the path holds here (files and links only)
     * @param known what the index holds for it (null: nothing)
     * @param gone  the deleter's version of it ({@link #tombstoneOf}; null: none)
     */
    public static boolean goes(boolean directory, FileState now, Index.Version known, VersionVector gone) {
        if (directory) return known == null || known.state() == null || gone != null && gone.covers(known.vector());
        return known != null && gone != null && FileStates.same(now, known.state()) && gone.covers(known.vector());
    }

    /** The version an entry that goes is deleted with in the index: ours and the deleter's merged. */
    public static VersionVector deletedVersion(Index.Version known, VersionVector gone) {
        return known.vector().merge(gone);
    }

    /** What an entry that stays is announced against: the deleter's version of it (none: empty). */
    public static VersionVector keptAgainst(VersionVector gone) {
        return gone == null ? VersionVector.empty() : gone;
    }

    /**
     * The directories that stay because something below them stays: every directory from each kept
     * entry below {@code deleted} up to {@code deleted} itself (kept entries elsewhere are not this
     * delete's). A node that applied the delete would otherwise make them again as bare parents of
     * the kept entries, and the trees would differ in their modes for good. In the order met.
     */
    public static List<RelPath> directoriesLeadingTo(RelPath deleted, Collection<RelPath> kept) {
        List<RelPath> out = new ArrayList<>();
        for (RelPath k : kept) {
            if (!k.startsWith(deleted)) continue;
            for (RelPath d = k.parent(); d != null && d.startsWith(deleted); d = d.parent()) out.add(d);
        }
        return out;
    }

    /**
     * The version a path kept against a delete is announced from (before this node's own change is
     * counted on it): what we had, merged with the delete's, so that it is newer than the delete.
     */
    public static VersionVector keptVersion(Index.Version known, VersionVector delete) {
        return (known == null ? VersionVector.empty() : known.vector()).merge(delete);
    }
}
