package io.jclsync.sync;

import io.jclsync.transfer.Outcome;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Maps an rsync (or handler) exit code to an {@link Outcome}. Codes are from rsync(1), "EXIT VALUES". */
public final class ExitCodePolicy {
    private static final Map<Integer, Outcome> RSYNC = new HashMap<>();
    private static final Map<Integer, String> MEANING = new HashMap<>();

    private static void code(int code, Outcome outcome, String meaning) {
        RSYNC.put(code, outcome);
        MEANING.put(code, meaning);
    }

    static {
        code(0, Outcome.OK, "success");
        code(1, Outcome.FATAL, "syntax or usage error");
        code(2, Outcome.FATAL, "protocol incompatibility");
        code(3, Outcome.RETRY, "errors selecting input/output files, dirs");
        code(4, Outcome.FATAL, "requested action not supported");
        code(5, Outcome.RETRY, "error starting client-server protocol");
        code(6, Outcome.RETRY, "daemon unable to append to log-file");
        code(10, Outcome.RETRY, "error in socket I/O");
        code(11, Outcome.RETRY, "error in file I/O");
        code(12, Outcome.RETRY, "error in rsync protocol data stream");
        code(13, Outcome.RETRY, "errors with program diagnostics");
        code(14, Outcome.RETRY, "error in IPC code");
        code(20, Outcome.RETRY, "received SIGUSR1 or SIGINT");
        code(21, Outcome.RETRY, "some error returned by waitpid()");
        code(22, Outcome.RETRY, "error allocating core memory buffers");
        code(23, Outcome.RETRY, "partial transfer due to error");
        code(24, Outcome.RETRY, "partial transfer due to vanished source files");
        code(25, Outcome.FATAL, "the --max-delete limit stopped deletions");
        code(30, Outcome.RETRY, "timeout in data send/receive");
        code(35, Outcome.RETRY, "timeout waiting for daemon connection");
        code(126, Outcome.FATAL, "command cannot be executed");
        code(127, Outcome.FATAL, "command not found");
    }

    /** Exit codes clsync ignores by default: 24 (files vanished between listing and copying; normal under churn). */
    public static final Set<Integer> DEFAULT_IGNORED = Set.of(24);

    private final Set<Integer> ignored;

    /** @param ignored exit codes treated as success ({@code -x}) */
    public ExitCodePolicy(Set<Integer> ignored) {
        this.ignored = Set.copyOf(ignored);
    }

    public Outcome classify(int exitCode) {
        if (exitCode == 0 || ignored.contains(exitCode)) return Outcome.OK;
        return RSYNC.getOrDefault(exitCode, Outcome.RETRY);
    }

    /** rsync's meaning of an exit code, for log lines. */
    public static String meaning(int exitCode) {
        return MEANING.getOrDefault(exitCode, "unknown exit code");
    }
}
