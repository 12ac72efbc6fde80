package io.jclsync.echo;

import io.jclsync.state.FileState;
import io.jclsync.state.FileStates;
import io.jclsync.fs.RelPath;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Recognises the local file-system events that applying a peer's change causes, so they are not
 * announced back. Before it writes, the applier registers the state each path will have (or that
 * it will be gone); while the announcer sees that path in exactly that state, its events are
 * echoes. Expectations expire after a minute. States are compared, not times: a genuine local write landing on the same path
 * meanwhile has another state and is announced.
 */
public final class EchoFilter {
    private static final long TTL_NANOS = 60_000_000_000L;
    private static final long SWEEP_NANOS = 1_000_000_000L;

    private record Expected(FileState state, long at) {}

    private final Map<Path, Expected> expected = new HashMap<>();
    private long lastSweep = System.nanoTime();

    /** {@code state} null: the path (and everything below it) is expected to be gone. */
    public synchronized void expect(RelPath path, FileState state) {
        expected.put(path.toPath(), new Expected(state, System.nanoTime()));
    }

    /**
     * {@code path} is gone by a change of this node's (announced as its delete, a rename's old name):
     * what a peer wrote there or below it is no echo any more. An entry that comes back unchanged
     * (its directory renamed away and back) is this node's to announce again, since its tombstone
     * went out; an expectation that still matched it would hide it for the rest of its minute.
     */
    public synchronized void forget(Path path) {
        expected.keySet().removeIf(p -> p.startsWith(path));
    }

    /**
     * The state expected at {@code path}, or null: a hint that lets the announcer skip rehashing a
     * file a peer just wrote (reused only while size and nanosecond mtime match).
     */
    public synchronized FileState expected(Path path) {
        Expected e = live(path, System.nanoTime());
        return e == null ? null : e.state();
    }

    /**
     * Whether {@code path} now in state {@code current} (null: gone) is an echo. An expectation that
     * matches stays (one write can surface in several batches: create, then attributes); one that
     * no longer matches is dropped, since the path has changed here since.
     */
    public synchronized boolean isEcho(Path path, FileState current) {
        long now = System.nanoTime();
        sweep(now);
        Expected e = live(path, now);
        if (e != null) {
            if (FileStates.same(e.state(), current)) return true;
            expected.remove(path);
            return false;
        }
        if (current != null) return false;
        // A path gone below a directory we removed.
        for (Path p = path.getParent(); p != null; p = p.getParent()) {
            Expected up = live(p, now);
            if (up != null && up.state() == null) return true;
        }
        return false;
    }

    /** The expectation at {@code path} unless it has expired (an expired one is dropped). */
    private Expected live(Path path, long now) {
        Expected e = expected.get(path);
        if (e != null && now - e.at() > TTL_NANOS) {
            expected.remove(path);
            return null;
        }
        return e;
    }

    /**
     * Drops expired expectations to bound memory. Lookups check age themselves ({@link #live}), so
     * this full pass runs at most once a second rather than on every event of a large batch.
     */
    private void sweep(long now) {
        if (now - lastSweep < SWEEP_NANOS) return;
        lastSweep = now;
        for (Iterator<Expected> it = expected.values().iterator(); it.hasNext(); ) {
            if (now - it.next().at() > TTL_NANOS) it.remove();
        }
    }
}
