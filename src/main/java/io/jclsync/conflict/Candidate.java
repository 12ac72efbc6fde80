package io.jclsync.conflict;

import io.jclsync.state.FileState;
import java.util.Map;

/**
 * One side of a conflict: the version {@code node} wrote, its state, and its version vector.
 */
public record Candidate(String node, FileState state, Map<String, Long> version) {
    public Candidate {
        version = Map.copyOf(version);
    }
}
