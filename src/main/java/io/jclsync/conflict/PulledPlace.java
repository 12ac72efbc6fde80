package io.jclsync.conflict;

import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import io.jclsync.state.FileStates;
import io.jclsync.state.VersionVector;

/**
 * Where a pulled file goes, seeing the path as it is once the pull is done: to its path if that
 * still holds what the decision to pull saw there, or already the pulled version; else the path
 * was written here while the pull ran, that write stands (it is announced from here), and the
 * peer's version is kept beside it as a conflict copy, announced as a new file. Nothing is lost.
 */
public final class PulledPlace {
    private PulledPlace() {}

    /**
     * @param local  what the path holds now (null: nothing)
     * @param before what it held when the pull was decided (null: nothing)
     * @param want   the pulled version; {@code vector}: its version, {@code writer}: who wrote it
     * @return {@code path}, or the conflict copy's name
     */
    public static RelPath of(RelPath path, FileState local, FileState before, FileState want, String writer,
                             VersionVector vector) {
        if (FileStates.same(local, before) || FileStates.same(local, want)) return path;
        return ConflictCopies.copyOf(path, new Candidate(writer, want, vector, 0));
    }
}
