package io.jclsync.conflict;

import io.jclsync.state.FileState;
import io.jclsync.state.VersionVector;
import java.util.Objects;
import io.jclsync.fs.FileType;

/**
 * One side of a conflict: the version {@code node} wrote, its state, and its version vector. For
 * a subtree: a directory state with the bytes of its files as size and the latest mtime in it,
 * and how many files it holds.
 */
public record Candidate(String node, FileState state, VersionVector version, long files) {
    public Candidate {
        Objects.requireNonNull(version, "version");
    }

    public Candidate(String node, FileState state, VersionVector version) {
        this(node, state, version, state.type() == FileType.FILE ? 1 : 0);
    }

    /** One side of a subtree conflict. */
    public static Candidate subtree(String node, long latestMtimeNanos, long files, long bytes, VersionVector version) {
        return new Candidate(node, new FileState(FileType.DIRECTORY, bytes, latestMtimeNanos, 0755,
                new byte[0], new byte[0]), version, files);
    }
}
