package io.jclsync.conflict;

import io.jclsync.state.FileState;
import java.util.Map;

/**
 * One side of a conflict: the version {@code node} wrote, its state, and its version vector. For
 * a subtree: a directory state with the bytes of its files as size and the latest mtime in it,
 * and how many files it holds.
 */
public record Candidate(String node, FileState state, Map<String, Long> version, long files) {
    public Candidate {
        version = Map.copyOf(version);
    }

    public Candidate(String node, FileState state, Map<String, Long> version) {
        this(node, state, version, state.type() == io.jclsync.fs.FileType.FILE ? 1 : 0);
    }

    /** One side of a subtree conflict. */
    public static Candidate subtree(String node, long latestMtimeNanos, long files, long bytes, Map<String, Long> version) {
        return new Candidate(node, new FileState(io.jclsync.fs.FileType.DIRECTORY, bytes, latestMtimeNanos, 0755,
                new byte[0], new byte[0]), version, files);
    }
}
