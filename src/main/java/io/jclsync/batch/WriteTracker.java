package io.jclsync.batch;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Which files are being written right now: written ({@code IN_MODIFY}) and not closed since. A
 * due batch holds such a file back while writes keep coming, so a file being copied in is sent
 * once, whole, rather than half-written and again; {@link Delays#bigfileCollect()} caps the hold
 * so a file that is written without pause (a busy log) still syncs. Not thread-safe: the
 * {@link Collector} guards it.
 */
final class WriteTracker {
    private final Map<Path, Long> lastWrite = new HashMap<>();
    private final Map<Path, Long> heldSince = new HashMap<>();

    void written(Path path, long now) {
        lastWrite.put(path, now);
    }

    void closed(Path path) {
        lastWrite.remove(path);
    }

    void gone(Path path) {
        lastWrite.remove(path);
        heldSince.remove(path);
    }

    /**
     * Whether a due {@code path} waits for the next window: still open, written within the last
     * {@code quietNanos}, and not held for {@code maxHoldNanos} already.
     */
    boolean hold(Path path, long now, long quietNanos, long maxHoldNanos) {
        Long last = lastWrite.get(path);
        if (last == null || now - last >= quietNanos) {
            heldSince.remove(path);
            return false;
        }
        long since = heldSince.computeIfAbsent(path, p -> now);
        if (now - since >= maxHoldNanos) {
            heldSince.remove(path);
            return false;
        }
        return true;
    }

    /** Forgets writers idle for longer than {@code idleNanos} (their close may have been lost). */
    void prune(long now, long idleNanos) {
        lastWrite.values().removeIf(last -> now - last > idleNanos);
        heldSince.keySet().removeIf(p -> !lastWrite.containsKey(p));
    }

    boolean isEmpty() {
        return lastWrite.isEmpty();
    }
}
