package io.jclsync.conflict;

import io.jclsync.cluster.wire.WireMessage;
import io.jclsync.fs.FileType;
import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import io.jclsync.state.FileStates;
import io.jclsync.state.Index;
import io.jclsync.state.VersionVector;

/**
 * What a peer's change does to a path here, decided from the change, what the path holds here and
 * what the index holds for it: a function of those alone (the policy aside, which may run the
 * user's hook), so every node decides a conflict the same way. The applier carries it out.
 * <ul>
 *   <li>A newer version is taken; a stale one (ours covers it) changes nothing.</li>
 *   <li>Identical content is never a conflict: the versions merge (between concurrent or equal
 *       versions the later mtime is taken, so every node ends with the same one).</li>
 *   <li>Concurrent versions of content (or ours changed here since we last announced it): the
 *       {@link ConflictPolicy} picks the winner (between a directory and a file or link, the
 *       directory); the loser is kept beside it as a conflict copy.</li>
 *   <li>A concurrent delete never removes what changed here: it is kept, and announced from here.</li>
 * </ul>
 */
public sealed interface Resolution {
    /**
     * Whether this decides between concurrent versions (a conflict, concurrent directory modes, a
     * change taken over a concurrent delete here): the outcome, once in place, is announced from
     * here as a version of this node's (see {@link io.jclsync.state.Index#resolved}), so that nodes
     * that decided different pairs of the path's versions meet again.
     */
    default boolean decided() {
        return false;
    }

    /** Leave the path and the index as they are. */
    record Ignore() implements Resolution {}

    /** Nothing is here and the change deletes it: the index records the delete, at {@code version}. */
    record RecordDelete(VersionVector version, String writer, boolean takeover) implements Resolution {}

    /**
     * Take the peer's version: the path is written, and its version becomes {@code version};
     * {@code decided}: nothing is here but a delete of ours concurrent with the peer's change, and
     * the change is taken over it (a node that applied the delete instead holds the same merged
     * vector over nothing).
     */
    record Take(VersionVector version, String writer, boolean takeover, boolean decided) implements Resolution {}

    /**
     * The path holds what the peer has already (or the same content with an mtime that stays):
     * nothing is written, the index records {@code version}, and what the watcher reports of the
     * path is no change of this node's.
     */
    record AlreadyHere(VersionVector version, String writer, boolean takeover) implements Resolution {}

    /** The peer deleted the path while it changed here: it stays, and is announced from here as newer. */
    record KeepAgainstDelete(VersionVector version, String writer) implements Resolution {}

    /**
     * Concurrent versions, and the peer's wins: ours is copied to {@code aside} (announced as a new
     * file), then the peer's is taken.
     */
    record TheirsWin(RelPath aside, VersionVector version, String writer, String localWriter) implements Resolution {
        @Override
        public boolean decided() {
            return true;
        }
    }

    /**
     * Concurrent versions, and ours wins: it stays, and the peer's version (a file: pulled) is kept
     * as {@code aside}; the index records {@code version} written by {@code localWriter} once that
     * copy is in place (until then this node's version must not look newer than the peer's).
     */
    record OursWin(RelPath aside, VersionVector version, String localWriter) implements Resolution {
        @Override
        public boolean decided() {
            return true;
        }
    }

    /**
     * Concurrent modes of a directory (a directory's mtime says nothing of a chmod): the greater
     * writer name's mode stays, ties to the greater mode, on every node alike; {@code theirs}: the
     * peer's is taken. The outcome is recorded at {@code version} and announced once in place, as
     * a conflict's is (else three concurrent modes decided in different orders could end as one
     * vector over two modes).
     */
    record DirectoryMode(VersionVector version, String writer, boolean theirs) implements Resolution {
        static DirectoryMode between(VersionVector merged, String origin, int theirMode, String localWriter, int ourMode) {
            int byWriter = origin.compareTo(localWriter);
            boolean theirs = byWriter > 0 || (byWriter == 0 && theirMode > ourMode);
            return new DirectoryMode(merged, theirs ? origin : localWriter, theirs);
        }

        @Override
        public boolean decided() {
            return true;
        }
    }

    /**
     * @param c      the peer's change
     * @param origin who wrote the change's version (its writer, else the sender)
     * @param local  what the path holds here now (null: nothing)
     * @param mine   what the index holds for the path (null: nothing)
     * @param self   this node's name
     */
    static Resolution of(WireMessage.Change c, String origin, FileState local, Index.Version mine, String self,
                         ConflictPolicy policy) {
        VersionVector localVector = mine == null ? VersionVector.empty() : mine.vector();
        VersionVector.Order order = c.version().compare(localVector);
        boolean stale = localVector.covers(c.version()); // nothing in it we do not have: older, or the same
        VersionVector merged = localVector.merge(c.version());
        if (local == null) {
            // Nothing here to lose. Content that is not older than what we knew comes in; an
            // older version or a delete of what we do not have changes nothing.
            if (c.state() == null) return stale ? new Ignore() : new RecordDelete(merged, origin, c.takeover());
            if (mine != null && stale) return new Ignore();
            boolean overOurDelete = mine != null && mine.state() == null && order == VersionVector.Order.CONCURRENT;
            return new Take(merged, origin, c.takeover(), overOurDelete);
        }
        if (FileStates.same(local, c.state())) {
            // Already here, as the peer has it (moved here with a directory it renamed, say).
            return new AlreadyHere(merged, mine == null ? origin : mine.writer(), c.takeover() && !stale);
        }
        // Whether what is here is not what the index holds: a change made here since, this node's.
        boolean changedHere = mine == null || !FileStates.same(local, mine.state());
        String localWriter = changedHere ? self : mine.writer();
        // A version this node has (or an older one), against a change made here since: nothing to
        // take, and nothing to record either; the change is announced from here. Recorded under
        // the peer's version, an mtime set here would never be announced (chaos cluster seed 1548).
        if (stale && changedHere && mine != null) return new Ignore();
        if (local.type() == FileType.DIRECTORY && c.state() != null && c.state().type() == FileType.DIRECTORY) {
            // Only the mode differs: a newer one is taken, a stale one ignored, and between
            // concurrent ones every node makes the same choice (not the last to arrive).
            if (stale) return new Ignore();
            if (order == VersionVector.Order.NEWER) return new Take(merged, origin, c.takeover(), false);
            return DirectoryMode.between(merged, origin, c.state().mode(), localWriter, local.mode());
        }
        if (FileStates.sameContent(local, c.state()) && (!stale || localVector.equals(c.version()))) {
            // The same content with another version or only another mtime: a newer version's mtime
            // is taken, and between concurrent (or equal) versions the later one.
            if (order == VersionVector.Order.NEWER || c.state().mtimeNanos() > local.mtimeNanos()) {
                return new Take(merged, origin, c.takeover(), false); // only stamped: the bytes are here
            }
            return new AlreadyHere(merged, mine == null ? self : mine.writer(), false);
        }
        if (order == VersionVector.Order.NEWER && !changedHere) return new Take(merged, origin, c.takeover(), false);
        // Not newer than ours: our version (or a change made here since, which is announced from here) stands.
        if (stale) return new Ignore();
        // Both sides have content for this path, and neither version descends from the other.
        if (c.kind() == WireMessage.Kind.DELETE) return new KeepAgainstDelete(merged, mine == null ? "" : mine.writer());
        Candidate here = new Candidate(localWriter, local, localVector);
        Candidate there = new Candidate(origin, c.state(), c.version());
        if (winner(c.path(), here, there, policy) == there) {
            return new TheirsWin(ConflictCopies.copyOf(c.path(), here), merged, origin, localWriter);
        }
        return new OursWin(ConflictCopies.copyOf(c.path(), there), merged, localWriter);
    }

    /**
     * The policy's winner, except between a directory and a file or link: the directory stays, on
     * every node, and the other is kept as a copy. A directory cannot be kept as a copy beside the
     * path, and what is below it (entries the other side may never have seen) stays wherever it
     * is: a file chosen over it would be taken where the directory was empty and not where it was
     * not, and each node would announce its outcome for ever (chaos cluster seed 334).
     */
    private static Candidate winner(RelPath path, Candidate here, Candidate there, ConflictPolicy policy) {
        boolean ourDirectory = here.state().type() == FileType.DIRECTORY;
        if (ourDirectory != (there.state().type() == FileType.DIRECTORY)) return ourDirectory ? here : there;
        return policy.winner(path, here, there);
    }
}
