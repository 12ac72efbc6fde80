package io.jclsync.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Map;

/**
 * jclsync started from the shaded jar as a separate JVM, the way a user runs it. Its stdout and
 * stderr go to a log file the test can read while it runs.
 */
public final class JclsyncProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    private JclsyncProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static Path jar() {
        String jar = System.getProperty("jclsync.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("system property jclsync.jar must name the built jar (run through mvn verify)");
        }
        return Path.of(jar);
    }

    static List<String> command(List<String> prefix, List<String> args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-Xmx256m", "--enable-native-access=ALL-UNNAMED", "-jar", jar().toString()));
        cmd.addAll(args);
        return cmd;
    }

    public static JclsyncProcess start(Path log, String... args) throws IOException {
        return start(log, List.of(), args);
    }

    /** @param prefix a command to run java under (e.g. setpriv), or empty */
    static JclsyncProcess start(Path log, List<String> prefix, String... args) throws IOException {
        return start(log, prefix, Map.of(), args);
    }

    public static JclsyncProcess start(Path log, List<String> prefix, Map<String, String> env, String... args)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(prefix, List.of(args)));
        pb.environment().putAll(env);
        return launch(pb, log);
    }

    /** Starts {@code cmd} as it is (an installed launcher, say) instead of the built jar. */
    static JclsyncProcess startCommand(Path log, List<String> cmd) throws IOException {
        return launch(new ProcessBuilder(cmd), log);
    }

    private static JclsyncProcess launch(ProcessBuilder pb, Path log) throws IOException {
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        return new JclsyncProcess(pb.start(), log);
    }

    /** Runs jclsync to completion (for commands that must exit on their own). */
    static Result run(Path log, Duration timeout, String... args) throws Exception {
        return run(log, timeout, Map.of(), args);
    }

    /** @param env environment variables to set (an empty value removes the variable) */
    static Result run(Path log, Duration timeout, Map<String, String> env, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command(List.of(), List.of(args)));
        env.forEach((k, v) -> {
            if (v.isEmpty()) pb.environment().remove(k);
            else pb.environment().put(k, v);
        });
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        try (JclsyncProcess p = new JclsyncProcess(pb.start(), log)) {
            if (!p.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("jclsync did not exit within " + timeout + "; log:\n" + p.log());
            }
            return new Result(p.process.exitValue(), p.log());
        }
    }

    record Result(int exitCode, String output) {}

    public String log() throws IOException {
        return Files.readString(log, StandardCharsets.ISO_8859_1);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Sends signal {@code name} (e.g. TERM, STOP) to {@code pid} with the shell's kill builtin (no procps needed). */
    static void signal(String name, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("sh", "-c", "kill -" + name + " " + pid).start();
        if (kill.waitFor() != 0) throw new IOException("kill -" + name + " " + pid + " failed");
    }

    void signal(String name) throws IOException, InterruptedException {
        signal(name, pid());
    }

    long pid() {
        return process.pid();
    }

    /** Sends SIGTERM and waits for the exit code. */
    public int terminate(Duration timeout) throws Exception {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("jclsync did not stop within " + timeout + " of SIGTERM; log:\n" + log());
        }
        return process.exitValue();
    }

    int waitFor(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("jclsync did not exit within " + timeout + "; log:\n" + log());
        }
        return process.exitValue();
    }

    /** Waits until the log holds {@code text}. */
    public void awaitLog(String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!log().contains(text)) {
            if (!process.isAlive() && !log().contains(text)) {
                throw new AssertionError("jclsync exited (" + process.exitValue() + ") before logging '" + text
                        + "'; log:\n" + log());
            }
            if (System.nanoTime() > deadline) throw new AssertionError("no '" + text + "' in the log:\n" + log());
            Thread.sleep(20);
        }
    }

    /** Waits until the status file says {@code word}. */
    void awaitStatus(Path statusFile, String word, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String now = Files.exists(statusFile) ? Files.readString(statusFile).strip() : "";
            if (now.equals(word)) return;
            if (!process.isAlive()) {
                throw new AssertionError("jclsync exited (" + process.exitValue() + ") while waiting for status '"
                        + word + "'; log:\n" + log());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("status is '" + now + "', not '" + word + "'; log:\n" + log());
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        }
    }
}
