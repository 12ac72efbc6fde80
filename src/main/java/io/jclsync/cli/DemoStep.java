package io.jclsync.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;

/**
 * One step of a demo: do something, then poll until the trees compare equal (or time runs out),
 * and say how long it took.
 */
final class DemoStep {
    interface Action {
        void run() throws IOException;
    }

    /** The differences left, polled; null if the demo must stop (e.g. a node exited). */
    interface Differences {
        List<String> now() throws IOException;
    }

    private DemoStep() {}

    /** @return whether the trees converged; says so on {@code out}, naming {@code what} converged */
    static boolean run(PrintWriter out, String what, String converged, Action action, Differences diffs,
                       Duration timeout, long pollMillis) throws Exception {
        say(out, "- %s", what);
        long start = System.nanoTime();
        action.run();
        long deadline = start + timeout.toNanos();
        List<String> left;
        do {
            Thread.sleep(pollMillis);
            left = diffs.now();
            if (left == null) return false;
        } while (!left.isEmpty() && System.nanoTime() < deadline);
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (left.isEmpty()) {
            say(out, "  %s after %d ms", converged, ms);
            return true;
        }
        say(out, "  NOT in sync after %d ms: %s", ms, left);
        return false;
    }

    static void say(PrintWriter out, String format, Object... args) {
        out.printf(format + "%n", args);
        out.flush();
    }
}
