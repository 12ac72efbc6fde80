package io.jclsync.conflict;

import io.jclsync.fs.RelPath;
import java.util.Arrays;

/**
 * What a conflict is decided for: each path on its own ({@code file}, depth 0), or a whole
 * subtree {@code depth} levels below the root ({@code subtree:N}), e.g. depth 1 when each
 * top-level directory is a container. Paths at or above that depth, and everything in the
 * conflict dir (where losing subtrees are kept), are decided on their own. Every node of a
 * cluster MUST use the same scope.
 *
 * @param conflictDir where losing subtrees are kept, relative to the root
 */
public record ConflictScope(int depth, RelPath conflictDir) {
    public static final int MAX_DEPTH = 16;
    public static final RelPath DEFAULT_CONFLICT_DIR = RelPath.of(".sync-conflicts".getBytes());
    public static final ConflictScope FILE = new ConflictScope(0, DEFAULT_CONFLICT_DIR);

    public ConflictScope {
        if (depth < 0 || depth > MAX_DEPTH) throw new IllegalArgumentException("depth " + depth + " (0-" + MAX_DEPTH + ")");
    }

    /**
     * @param spec {@code file} or {@code subtree:N} (1 &le; N &le; 16)
     * @throws IllegalArgumentException saying what is accepted
     */
    public static ConflictScope parse(String spec, RelPath conflictDir) {
        if (spec.equals("file")) return new ConflictScope(0, conflictDir);
        if (spec.startsWith("subtree:")) {
            try {
                int depth = Integer.parseInt(spec.substring("subtree:".length()));
                if (depth >= 1 && depth <= MAX_DEPTH) return new ConflictScope(depth, conflictDir);
            } catch (NumberFormatException ignored) {
                // reported below
            }
        }
        throw new IllegalArgumentException("'" + spec + "': expected 'file' or 'subtree:N' with N from 1 to "
                + MAX_DEPTH + " (the depth of the directories decided as a unit, e.g. subtree:1 for top-level containers)");
    }

    public boolean bySubtree() {
        return depth > 0;
    }

    /** Whether {@code path} is a subtree decided as a unit (exactly {@code depth} levels, not in the conflict dir). */
    public boolean isSubtree(RelPath path) {
        if (depth == 0 || path.startsWith(conflictDir)) return false;
        int slashes = 0;
        for (byte b : path.bytes()) if (b == '/') slashes++;
        return slashes == depth - 1;
    }

    /** The subtree {@code path} is decided with, or null if it is decided on its own. */
    public RelPath scopeOf(RelPath path) {
        if (depth == 0 || path.startsWith(conflictDir)) return null;
        byte[] raw = path.bytes();
        int level = 0;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '/' && ++level == depth) return RelPath.of(Arrays.copyOf(raw, i));
        }
        return null;
    }

    @Override
    public String toString() {
        return depth == 0 ? "file" : "subtree:" + depth;
    }
}
