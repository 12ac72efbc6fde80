package io.jclsync.conflict;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * One run of the conflict hook: started by {@code setsid} in a process group (and session) of its
 * own, given its input on stdin, its stderr logged line by line (bounded), its stdout kept (the
 * first 4 KiB). When it exits or times out, every process left in its group is killed: a hook
 * that forked a child (or a {@code sleep} in a pipeline) leaves nothing running behind it.
 */
final class HookRun {
    private static final Logger LOG = Logger.getLogger(HookRun.class.getName());
    private static final int STDOUT_BYTES = 4096;
    /** Of each run's stderr, at most this much is logged; the rest is read and counted. */
    static final int STDERR_LOGGED_BYTES = 8192;
    static final int STDERR_LOGGED_LINES = 50;
    private static final int STDERR_LINE_CHARS = 500;
    private static final long KILL_ROUNDS = 50;

    /** @param exitCode -1 when it timed out */
    record Result(int exitCode, boolean timedOut, String stdout) {}

    private HookRun() {}

    static Result run(Path script, Path dir, Map<String, String> env, String stdin, Duration timeout)
            throws IOException, InterruptedException {
        // setsid(1) execs the script as the leader of a new session, so its pid is the group's id;
        // Java cannot set a child's process group itself.
        ProcessBuilder pb = new ProcessBuilder("setsid", script.toString()).directory(dir.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        Drain out = new Drain(p.getInputStream(), null);
        Drain err = new Drain(p.getErrorStream(), "conflict hook " + script + " (stderr): ");
        Thread outReader = out.start("jclsync-hook-stdout");
        Thread errReader = err.start("jclsync-hook-stderr");
        boolean done = false;
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // The script need not read its stdin.
        }
        try {
            done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            killGroup(p);
            // Every writer of the pipes is gone now: the readers see their end.
            outReader.join(1000);
            errReader.join(1000);
            err.logDropped();
        }
        return done ? new Result(p.exitValue(), false, out.kept()) : new Result(-1, true, out.kept());
    }

    /** SIGKILL to every process of the hook's group, and to its descendants that left it, until none is left. */
    static void killGroup(Process p) throws InterruptedException {
        long group = p.pid();
        List<ProcessHandle> descendants = p.descendants().toList();
        for (int round = 0; round < KILL_ROUNDS; round++) {
            List<ProcessHandle> left = new ArrayList<>(members(group));
            descendants.stream().filter(ProcessHandle::isAlive).forEach(left::add);
            if (p.isAlive()) left.add(p.toHandle());
            if (left.isEmpty()) break;
            // ProcessHandle checks the start time too, so a pid reused meanwhile is not hit.
            left.forEach(ProcessHandle::destroyForcibly);
            p.waitFor(20, TimeUnit.MILLISECONDS);
        }
        p.waitFor();
    }

    /** The live (not zombie) processes whose process group is {@code group}, read from /proc. */
    static List<ProcessHandle> members(long group) {
        List<ProcessHandle> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : (Iterable<Path>) procs::iterator) {
                String name = proc.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) continue;
                String[] f = statFields(proc);
                // after "pid (comm)": state ppid pgrp ...
                if (f != null && f.length > 2 && !f[0].equals("Z") && f[2].equals(Long.toString(group))) {
                    ProcessHandle.of(Long.parseLong(name)).ifPresent(found::add);
                }
            }
        } catch (IOException e) {
            LOG.fine("cannot list /proc: " + e);
        }
        return found;
    }

    /** The fields of /proc/PID/stat after the command name (which may hold spaces and parentheses). */
    private static String[] statFields(Path proc) {
        try {
            String stat = Files.readString(proc.resolve("stat"), StandardCharsets.ISO_8859_1);
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException gone) {
            return null;
        }
    }

    /**
     * Reads one of the hook's output pipes to its end (on a thread of its own, so a full pipe never
     * blocks the hook): keeps the head of stdout, or logs stderr line by line.
     */
    private static final class Drain extends OutputStream implements Runnable {
        private final InputStream in;
        private final String logPrefix;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private long loggedBytes;
        private int loggedLines;
        private volatile long dropped;

        /** @param logPrefix null: keep the head (stdout); else log each line with it (stderr) */
        Drain(InputStream in, String logPrefix) {
            this.in = in;
            this.logPrefix = logPrefix;
        }

        Thread start(String name) {
            Thread t = new Thread(this, name);
            t.setDaemon(true);
            t.start();
            return t;
        }

        @Override
        public void run() {
            try (in) {
                in.transferTo(this);
            } catch (IOException e) {
                // the hook's group was killed; what was read counts
            }
            if (logPrefix != null && line.size() > 0) emit();
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] buf, int off, int n) {
            if (logPrefix == null) keep(buf, off, n);
            else log(buf, off, n);
        }

        private synchronized void keep(byte[] buf, int off, int n) {
            kept.write(buf, off, Math.min(n, STDOUT_BYTES - kept.size()));
        }

        private void log(byte[] buf, int off, int n) {
            for (int i = off; i < off + n; i++) {
                if (loggedBytes >= STDERR_LOGGED_BYTES || loggedLines >= STDERR_LOGGED_LINES) {
                    dropped++;
                    continue;
                }
                loggedBytes++;
                if (buf[i] == '\n') emit();
                else line.write(buf[i]);
            }
        }

        private void emit() {
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (text.isBlank()) return;
            loggedLines++;
            if (text.length() > STDERR_LINE_CHARS) text = text.substring(0, STDERR_LINE_CHARS) + "...";
            LOG.warning(logPrefix + text);
        }

        synchronized String kept() {
            return kept.toString(StandardCharsets.UTF_8);
        }

        void logDropped() {
            if (dropped > 0) LOG.warning(logPrefix + dropped + " more bytes not logged (at most " + STDERR_LOGGED_LINES + " lines or "
                    + STDERR_LOGGED_BYTES + " bytes per run)");
        }
    }
}
