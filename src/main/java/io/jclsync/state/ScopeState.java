package io.jclsync.state;

import io.jclsync.fs.FileType;
import java.util.List;
import java.util.Objects;

/**
 * What this node has below a conflict scope (a subtree): the merge of every entry's version
 * vector (tombstones included), and of the live entries the latest mtime and its writer,
 * the number of files and their bytes.
 */
public record ScopeState(VersionVector vector, long latestMtimeNanos, String latestWriter, long files,
                         long bytes) {
    public ScopeState {
        Objects.requireNonNull(vector, "vector");
    }

    /** The summary of the index's entries below a scope ({@code below}, tombstones included). */
    static ScopeState of(List<Index.Version> below) {
        VersionVector vector = VersionVector.empty();
        long latest = Long.MIN_VALUE;
        String latestWriter = "";
        long files = 0;
        long bytes = 0;
        for (Index.Version v : below) {
            vector = vector.merge(v.vector());
            FileState s = v.state();
            if (s == null) continue;
            if (s.mtimeNanos() > latest) {
                latest = s.mtimeNanos();
                latestWriter = v.writer();
            }
            if (s.type() == FileType.FILE) {
                files++;
                bytes += s.size();
            }
        }
        return new ScopeState(vector, latest == Long.MIN_VALUE ? 0 : latest, latestWriter, files, bytes);
    }
}
