package io.jclsync.process;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.io.OutputStream;
import java.util.function.Consumer;

/** Runs a child process with a timeout, keeping the tail of its output; the child is always reaped. */
public final class ProcessRunner {
    private static final int KEEP_BYTES = 64 * 1024;

    /** @param exitCode the exit code, or -1 when it was killed after the timeout */
    public record Result(int exitCode, boolean timedOut, String output) {
        /**
         * Why it failed, in one line, for programs that speak as rsync does: its first error line
         * (naming the file and the errno: "write failed on ...: No space left on device (28)", or a
         * daemon's "@ERROR: ..."), then its last line, the summary ("rsync error: error in file IO
         * (code 11) at ...").
         */
        public String reason() {
            List<String> lines = output.strip().lines().toList();
            if (lines.isEmpty()) return "";
            String last = lines.get(lines.size() - 1);
            for (String line : lines.subList(0, lines.size() - 1)) {
                if (line.startsWith("rsync: ") || line.startsWith("@ERROR") || line.contains("error")) return line + " / " + last;
            }
            return last;
        }
    }

    private ProcessRunner() {}

    /**
     * @param timeout zero for none
     * @throws IOException when the program cannot be started (not found, not executable)
     */
    public static Result run(List<String> argv, Map<String, String> env, Duration timeout)
            throws IOException, InterruptedException {
        return run(argv, env, timeout, null);
    }

    /** @param lines called (on a reader thread) with each line of output as it comes, split at \n or \r; or null */
    public static Result run(List<String> argv, Map<String, String> env, Duration timeout,
                             Consumer<String> lines) throws IOException, InterruptedException {
        return run(argv, env, timeout, lines, new byte[0]);
    }

    /** @param input written to the program's standard input (on a thread of its own), which is then closed */
    public static Result run(List<String> argv, Map<String, String> env, Duration timeout,
                             Consumer<String> lines, byte[] input) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        if (input.length == 0) {
            p.getOutputStream().close();
        } else {
            Thread writer = new Thread(() -> {
                try (OutputStream in = p.getOutputStream()) {
                    in.write(input);
                } catch (IOException closedEarly) {
                    // the program exited without reading all of it: its exit code says what happened
                }
            }, "jclsync-child-input");
            writer.setDaemon(true);
            writer.start();
        }
        Tail tail = new Tail(p.getInputStream(), lines);
        Thread reader = new Thread(tail, "jclsync-child-output");
        reader.setDaemon(true);
        reader.start();
        try {
            boolean done = timeout.isZero() ? waitForever(p) : p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                stop(p);
                reader.join(1000);
                return new Result(-1, true, tail.text());
            }
            reader.join(5000);
            return new Result(p.exitValue(), false, tail.text());
        } catch (InterruptedException e) {
            stop(p);
            throw e;
        }
    }

    private static boolean waitForever(Process p) throws InterruptedException {
        p.waitFor();
        return true;
    }

    /** SIGTERM first (rsync removes its temp files on it), SIGKILL if it lingers; always reaped. */
    private static void stop(Process p) {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (!p.waitFor(5, TimeUnit.SECONDS)) {
                        p.descendants().forEach(ProcessHandle::destroyForcibly);
                        p.destroyForcibly();
                        p.waitFor();
                    }
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private static final class Tail implements Runnable {
        private final InputStream in;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final Consumer<String> lines;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        Tail(InputStream in, Consumer<String> lines) {
            this.in = in;
            this.lines = lines;
        }

        private void split(byte[] buf, int n) {
            for (int i = 0; i < n; i++) {
                if (buf[i] == '\n' || buf[i] == '\r') {
                    if (line.size() > 0) lines.accept(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                } else if (line.size() < 4096) {
                    line.write(buf[i]);
                }
            }
        }

        @Override
        public void run() {
            byte[] buf = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (lines != null) split(buf, n);
                    synchronized (kept) {
                        kept.write(buf, 0, n);
                        if (kept.size() > 2 * KEEP_BYTES) {
                            byte[] all = kept.toByteArray();
                            kept.reset();
                            kept.write(all, all.length - KEEP_BYTES, KEEP_BYTES);
                        }
                    }
                }
            } catch (IOException e) {
                // The child closed its output or was killed; what was read is kept.
            }
        }

        String text() {
            synchronized (kept) {
                return kept.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
