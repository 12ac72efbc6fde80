package io.jclsync.conflict;

import io.jclsync.fs.FileType;
import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import io.jclsync.state.FileStates;
import io.jclsync.state.Index;
import io.jclsync.state.VersionVector;
import java.nio.file.Path;
import java.util.Map;

/**
 * Whether a peer's rename moves what is at the old path here, when nothing is at the new one: only
 * what the origin renamed moves. Nothing moves whose version here the origin had not seen (the
 * rename's delete of the old path does not cover it, or the batch has no such delete). A file or symlink moves if it has the content
 * the new path has; a
 * directory if it is as this node last agreed on it and everything indexed below it is what the
 * origin renamed with it (the rename's batch tombstones each such entry with a version that covers
 * ours). Anything else here (rewritten, another type, or an entry below written here or by a node
 * the origin had not heard from) stays put for the delete of the old path to decide, and the new
 * path's content is pulled; on the origin, that write recreates the old directory too.
 *
 * @param moves        whether what is at the old path moves to the new one
 * @param changedBelow when a directory stays because of an entry below it that the origin did not
 *                     rename with it: that entry (null otherwise)
 */
public record PeerRename(boolean moves, Path changedBelow) {
    private static final PeerRename MOVES = new PeerRename(true, null);
    private static final PeerRename STAYS = new PeerRename(false, null);

    /**
     * @param from       the old path
     * @param old        what the old path holds here (null: nothing)
     * @param known      what the index holds for the old path (null: nothing)
     * @param renamed    the state the origin announced at the new path
     * @param below      the index's entries below the old path (directories; tombstones included)
     * @param tombstones the rename's batch's deletes, by path: what the origin knew below the old path
     */
    public static PeerRename of(RelPath from, FileState old, Index.Version known, FileState renamed,
                                Map<Path, Index.Version> below, Map<RelPath, VersionVector> tombstones) {
        if (old == null) return STAYS;
        // A version of the old path the origin had not seen when it renamed (the batch's delete of
        // that path does not cover it) is a change made concurrently, whatever its content: it stays
        // for that delete to keep it, as every other node that has it keeps it (chaos cluster seed
        // 1095). Moved, its newer version would be tombstoned here and live elsewhere.
        // A rename whose batch holds no delete of the old path at all (its origin had something
        // there again when it announced the rename) says nothing is gone from there: what is
        // indexed live there stays, or its entry would stay live here with nothing at its name,
        // and the origin's next versions of it (older than that entry) would never come back
        // (chaos cluster seed 2119).
        VersionVector deleted = tombstones.get(from);
        if (known != null && known.state() != null && (deleted == null || !deleted.covers(known.vector()))) return STAYS;
        if (old.type() != FileType.DIRECTORY) return FileStates.sameContent(old, renamed) ? MOVES : STAYS;
        if (known == null || !FileStates.same(old, known.state())) return STAYS;
        for (Map.Entry<Path, Index.Version> e : below.entrySet()) {
            if (e.getValue().state() == null) continue;
            VersionVector gone = tombstones.get(RelPath.of(e.getKey()));
            if (gone == null || !gone.covers(e.getValue().vector())) return new PeerRename(false, e.getKey());
        }
        return MOVES;
    }
}
