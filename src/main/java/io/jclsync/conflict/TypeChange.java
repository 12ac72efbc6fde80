package io.jclsync.conflict;

import io.jclsync.fs.FileType;
import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import io.jclsync.state.VersionVector;

/**
 * A directory here that became a file or a link at the origin. It is first deleted as a peer's
 * delete is ({@link PeerDelete}): what the origin had below it goes by its own tombstones. If
 * nothing stays, the new entry takes its place. If something stays (changed here, or never seen
 * there), the directory stays with it, announced from here as newer, and the origin's new entry is
 * kept beside it as a conflict copy, announced from here too: nothing written on either side is lost.
 */
public sealed interface TypeChange {
    /** The directory is gone: the new entry takes its place. */
    record Replace() implements TypeChange {}

    /**
     * The directory stays: the origin's entry is kept as {@code aside} (a link made, a file pulled
     * there), with {@code copyVersion}, the version of a new file its writer made.
     */
    record KeepBoth(RelPath aside, VersionVector copyVersion) implements TypeChange {}

    /** Whether a peer's {@code want} replaces what is here ({@code local}) as a directory by another type. */
    static boolean replacesDirectory(FileState local, FileState want) {
        return local != null && local.type() == FileType.DIRECTORY && want.type() != FileType.DIRECTORY;
    }

    /**
     * @param want    the origin's new entry at {@code path}
     * @param version its version; {@code writer}: who wrote it
     * @param left    what is at {@code path} once the origin's delete was applied (null: nothing)
     */
    static TypeChange of(RelPath path, FileState want, VersionVector version, String writer, FileState left) {
        if (left == null) return new Replace();
        return new KeepBoth(ConflictCopies.copyOf(path, new Candidate(writer, want, version, 0)), VersionVector.of(writer, 1));
    }
}
