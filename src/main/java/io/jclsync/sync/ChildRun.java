package io.jclsync.sync;

import io.jclsync.process.ProcessRunner;
import io.jclsync.transfer.Outcome;
import io.jclsync.transfer.TransferResult;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Runs the child process of a transfer (rsync or a handler) and turns its end into a {@link TransferResult}. */
final class ChildRun {
    private ChildRun() {}

    /**
     * @param what     how log lines name the child ("rsync", "handler")
     * @param fix      what to tell the user when the child cannot be started at all
     * @param renamed  renames already applied, carried into the result
     */
    static TransferResult run(String what, List<String> argv, Map<String, String> env, Duration timeout,
                              ExitCodePolicy policy, int renamed, String fix) throws InterruptedException {
        return run(what, argv, env, timeout, policy, renamed, fix, null);
    }

    /** @param lines gets each output line as it comes (progress), or null */
    static TransferResult run(String what, List<String> argv, Map<String, String> env, Duration timeout,
                              ExitCodePolicy policy, int renamed, String fix, Consumer<String> lines)
            throws InterruptedException {
        ProcessRunner.Result r;
        try {
            r = ProcessRunner.run(argv, env, timeout, lines);
        } catch (IOException e) {
            return new TransferResult(Outcome.FATAL, 127, 0, 0, renamed, "cannot run " + argv.get(0) + ": "
                    + e.getMessage() + " (" + fix + ")");
        }
        if (r.timedOut()) {
            return new TransferResult(Outcome.RETRY, -1, 0, 0, renamed, what + " killed after the "
                    + timeout.toSeconds() + " s timeout (-k)");
        }
        Outcome outcome = policy.classify(r.exitCode());
        String detail = outcome == Outcome.OK ? "" : what + " exit " + r.exitCode() + " ("
                + ExitCodePolicy.meaning(r.exitCode()) + "): " + lastLines(r.output(), 8);
        return new TransferResult(outcome, r.exitCode(), RsyncStats.bytesSent(r.output()),
                RsyncStats.literalBytes(r.output()), renamed, detail);
    }

    /** The last {@code n} lines of a child's output worth reporting, joined with " | ". */
    static String lastLines(String output, int n) {
        String[] lines = output.strip().split("\n");
        List<String> kept = new ArrayList<>();
        for (int i = lines.length - 1; i >= 0 && kept.size() < n; i--) {
            String l = lines[i];
            // The --stats block is noise in an error report.
            if (l.isBlank() || l.matches("^(Number of|Total|Literal|Matched|File list|sent|total size).*")) continue;
            kept.add(0, l);
        }
        return String.join(" | ", kept);
    }
}
