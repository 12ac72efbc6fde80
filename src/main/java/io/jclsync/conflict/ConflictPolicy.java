package io.jclsync.conflict;

import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * Decides which of two conflicting versions keeps the path; the other is always kept as a
 * conflict copy. Every node that sees the conflict asks its policy with the same two candidates,
 * so a policy MUST answer the same for the same input on every node (no clocks, no randomness).
 */
public interface ConflictPolicy {
    /** @return {@code a} or {@code b} */
    Candidate winner(RelPath path, Candidate a, Candidate b);

    /**
     * For a subtree decided as a unit ({@code --conflict-scope subtree:N}): each candidate's state
     * is a directory whose size is the bytes of its files and whose mtime is the latest found in it.
     *
     * @return {@code a} or {@code b}
     */
    default Candidate subtreeWinner(RelPath subtree, Candidate a, Candidate b) {
        return winner(subtree, a, b);
    }

    /**
     * The policy of a tree: the user's {@code --conflict-hook} (run in {@code root}, 10 s per
     * conflict, {@link #NEWEST} when it gives no answer), or {@link #NEWEST} without one.
     */
    static ConflictPolicy of(Path hook, Path root) {
        return hook == null ? NEWEST : new HookPolicy(hook, root, Duration.ofSeconds(10), NEWEST);
    }

    /**
     * The default: the newer mtime wins; equal mtimes, the greater node name; the same node too,
     * the greater state (type, mode, size, then content), so that the answer never depends on
     * which side is local (chaos cluster seed 605: a node's two versions with one mtime).
     */
    ConflictPolicy NEWEST = (path, a, b) -> {
        if (a.state().mtimeNanos() != b.state().mtimeNanos()) {
            return a.state().mtimeNanos() > b.state().mtimeNanos() ? a : b;
        }
        int byNode = a.node().compareTo(b.node());
        if (byNode != 0) return byNode > 0 ? a : b;
        return compareStates(a.state(), b.state()) >= 0 ? a : b;
    };

    /** A total order of states of one path: type, mode, size, content hash, link target. */
    private static int compareStates(FileState a, FileState b) {
        int c = Integer.compare(a.type().ordinal(), b.type().ordinal());
        if (c == 0) c = Integer.compare(a.mode(), b.mode());
        if (c == 0) c = Long.compare(a.size(), b.size());
        if (c == 0) c = Arrays.compareUnsigned(a.sha256(), b.sha256());
        if (c == 0) c = Arrays.compareUnsigned(a.linkTarget(), b.linkTarget());
        return c;
    }
}
