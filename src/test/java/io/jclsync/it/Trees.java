package io.jclsync.it;

import io.jclsync.fs.TreeComparison;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.function.Predicate;
import java.util.concurrent.Callable;

/** Waits for two trees to become equal: contents, types, modes, mtimes and symlink targets. */
final class Trees {
    private Trees() {}

    /** @return milliseconds it took */
    static long awaitEqual(Path source, Path target, Duration timeout, JclsyncProcess p) throws Exception {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        List<String> diff;
        while (!(diff = differences(source, target)).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("target differs from source after " + timeout + ": " + diff
                        + (p != null ? "\nlog:\n" + p.log() : ""));
            }
            if (p != null && !p.isAlive()) {
                throw new AssertionError("jclsync exited while the trees differ: " + diff + "\nlog:\n" + p.log());
            }
            Thread.sleep(50);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Waits until {@code file} holds exactly {@code content}; fails with {@code p}'s log. */
    static void awaitContent(Path file, String content, Duration timeout, JclsyncProcess p) throws Exception {
        awaitText(file, content::equals, timeout, "'" + content + "'", p);
    }

    /**
     * Waits until the text of {@code file} (empty while it does not exist) is one {@code ok} accepts,
     * and returns it; fails saying it never became {@code what}, with the last text and {@code p}'s log (p may be null).
     */
    static String awaitText(Path file, Predicate<String> ok, Duration timeout, String what,
                            JclsyncProcess p) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String text = Files.exists(file) ? Files.readString(file) : "";
            if (ok.test(text)) return text;
            if (System.nanoTime() > deadline) {
                throw new AssertionError(file + " never became " + what + "; last:\n" + text + (p != null ? "\nlog:\n" + p.log() : ""));
            }
            Thread.sleep(50);
        }
    }

    /** Waits until {@code value} gives a non-null result, and returns it; fails saying it never saw {@code what}. */
    static <T> T awaitValue(Callable<T> value, Duration timeout, String what, JclsyncProcess p) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T v = value.call();
            if (v != null) return v;
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never saw " + what + (p != null ? "; log:\n" + p.log() : ""));
            }
            Thread.sleep(50);
        }
    }

    /** A file vanishing during the walk (an rsync temp file) only means "not equal yet". */
    private static List<String> differences(Path source, Path target) throws IOException {
        try {
            return TreeComparison.differences(source, target, 10);
        } catch (NoSuchFileException | UncheckedIOException e) {
            return List.of("changing: " + e.getMessage());
        }
    }
}
