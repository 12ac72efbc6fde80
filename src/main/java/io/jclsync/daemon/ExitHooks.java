package io.jclsync.daemon;

import io.jclsync.process.ProcessRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Logger;
import java.util.Map;

/** clsync's {@code --pre-exit-hook} and {@code --exit-hook}. */
final class ExitHooks {
    private static final Logger LOG = Logger.getLogger(ExitHooks.class.getName());

    private ExitHooks() {}

    /**
     * Runs a {@code --pre-exit-hook}/{@code --exit-hook} as {@code HOOK LABEL WATCH_DIR EXIT_CODE}
     * (also in JCLSYNC_LABEL, JCLSYNC_WATCH_DIR, JCLSYNC_EXIT_CODE), for at most a minute. Its
     * failure is logged; it never changes jclsync's exit code.
     */
    static void run(Path hook, String what, String label, Path watchDir, int code) {
        if (hook == null) return;
        try {
            ProcessRunner.Result r = ProcessRunner.run(
                    List.of(hook.toString(), label, watchDir.toString(), Integer.toString(code)),
                    Map.of("JCLSYNC_LABEL", label, "JCLSYNC_WATCH_DIR", watchDir.toString(),
                            "JCLSYNC_EXIT_CODE", Integer.toString(code)),
                    Duration.ofMinutes(1));
            if (r.exitCode() != 0) {
                LOG.warning(what + " " + hook + " exited " + (r.timedOut() ? "(timed out)" : r.exitCode()) + ": "
                        + r.output().strip());
            } else {
                LOG.info(what + " " + hook + " done");
            }
        } catch (IOException e) {
            LOG.warning("cannot run " + what + " " + hook + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
