package io.jclsync.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.fs.TreeComparison;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Random one-way histories (see {@code scripts/chaos}): a seeded mix of creates, writes, renames,
 * directory moves, type changes and big slow files against {@code -W SRC -D DST}, with the watch
 * queue forced to overflow and (as root) the destination made read-only for a while. After the
 * writers stop, DST must equal SRC within a bounded time and the daemon must still run. A failing
 * history is written to {@code target/chaos/} with a shrunk copy beside it; the replay files kept in
 * {@code src/test/resources/chaos/} run on every build.
 *
 * <p>System properties (scripts/chaos sets them): {@code chaos.seeds} (how many, default 4: each variant once),
 * {@code chaos.seed} (the first, default 1), {@code chaos.steps} (per history, default 100),
 * {@code chaos.replay} (a history file to run instead), {@code chaos.shrink} (shrink failures).
 */
class ChaosOneWayIT {
    private static final Duration QUIET = Duration.ofSeconds(60);
    private static final String QUEUED = "/proc/sys/fs/inotify/max_queued_events";

    @TempDir
    Path tmp;

    record Outcome(long seed, String variant, int steps, int faults, long quietMillis, String failure)
            implements ChaosRun.Result {}

    /**
     * How the daemon runs: its mode, and whether with {@code --ignore-failures}. Only then is the
     * destination made read-only (without it, a destination that stays unwritable through every
     * retry stops the daemon, as clsync does); without it, a vanished path must never be a failure.
     */
    record Variant(String mode, boolean ignoreFailures) {
        static Variant of(long seed) {
            return new Variant(seed % 2 == 0 ? "direct" : "rsyncdirect", (seed / 2) % 2 == 1);
        }

        static Variant of(Path history) throws IOException {
            String mode = ChaosOp.header(history, "mode");
            return new Variant(mode == null ? "rsyncdirect" : mode, "true".equals(ChaosOp.header(history, "ignore-failures")));
        }

        List<String> header() {
            return List.of("mode=" + mode, "ignore-failures=" + ignoreFailures);
        }

        List<ChaosOp.Kind> faults() {
            return ChaosRun.isRoot() && ignoreFailures ? List.of(ChaosOp.Kind.OVERFLOW, ChaosOp.Kind.DEST_READONLY)
                    : ChaosRun.isRoot() ? List.of(ChaosOp.Kind.OVERFLOW) : List.of();
        }

        @Override
        public String toString() {
            return mode + (ignoreFailures ? " --ignore-failures" : "");
        }
    }

    @Test
    void seededHistories() throws Exception {
        ChaosRun.Options o = ChaosRun.Options.fromSystemProperties();
        if (o.replay() != null && !o.cluster()) {
            Outcome r = run(o.replay().getFileName().toString(), ChaosOp.read(o.replay()),
                    Variant.of(o.replay()), tmp.resolve("replay"));
            assertTrue(r.failure() == null, r.failure());
            return;
        }
        List<Outcome> results = new ArrayList<>();
        for (long seed = o.firstSeed(); seed < o.firstSeed() + o.seeds(); seed++) {
            Variant v = Variant.of(seed);
            Path work = Files.createDirectories(tmp.resolve("seed-" + seed));
            List<ChaosOp> ops = ChaosHistory.generate(seed, o.steps(), 1, v.faults(), work);
            Outcome r = run("seed " + seed, ops, v, work);
            results.add(new Outcome(seed, v.toString(), r.steps(), r.faults(), r.quietMillis(), r.failure()));
            if (r.failure() != null) {
                ChaosRun.keep("oneway", seed, v.header(), ops, o, candidate -> fails(candidate, v));
            }
        }
        ChaosRun.finish("one-way", results);
    }

    /** Every history kept as a regression (src/test/resources/chaos/oneway-*.history) still passes. */
    @Test
    void keptHistories() throws Exception {
        ChaosRun.replayKept("oneway-", f -> run(f.getFileName().toString(), ChaosOp.read(f), Variant.of(f),
                Files.createDirectories(tmp.resolve(f.getFileName().toString()))).failure());
    }

    private boolean fails(List<ChaosOp> ops, Variant v) throws Exception {
        return run("shrinking", ops, v, Files.createTempDirectory(tmp, "shrink")).failure() != null;
    }

    /** Runs one history against a fresh SRC and DST; the outcome's failure is null when it passed. */
    Outcome run(String name, List<ChaosOp> ops, Variant v, Path work) throws Exception {
        Files.createDirectories(work);
        Path src = Files.createDirectories(work.resolve("src"));
        Path dst = Files.createDirectories(work.resolve("dst"));
        Path outside = Files.createDirectories(work.resolve("outside"));
        boolean mounted = ChaosRun.isRoot() && ChaosRun.sh("mount -t tmpfs -o size=512m chaos " + dst) == 0;
        String savedQueued = ChaosRun.isRoot() ? Files.readAllLines(Path.of(QUEUED)).get(0).trim() : null;
        JclsyncProcess p = null;
        int faults = 0;
        try {
            // A small watch queue for this process (the kernel reads the limit at inotify_init),
            // so an overflow is one burst away.
            if (savedQueued != null) Files.writeString(Path.of(QUEUED), "1024\n");
            Path status = work.resolve("status");
            List<String> args = new ArrayList<>(List.of("-W", src.toString(), "-D", dst.toString(), "-M", v.mode(),
                    "-t", "0.5", System.getProperty("chaos.verbosity", "-v"), "--status-file", status.toString()));
            if (v.ignoreFailures()) args.add("--ignore-failures");
            p = JclsyncProcess.start(work.resolve("jclsync.log"), args.toArray(String[]::new));
            p.awaitStatus(status, "running", Duration.ofSeconds(30));
            if (savedQueued != null) Files.writeString(Path.of(QUEUED), savedQueued + "\n");
            ChaosFs fs = new ChaosFs(src, outside, false);
            for (ChaosOp op : ops) {
                TimeUnit.MILLISECONDS.sleep(op.pauseMillis());
                if (!p.isAlive()) break;
                if (!op.kind().isFault()) {
                    fs.apply(op);
                    continue;
                }
                faults++;
                switch (op.kind()) {
                    case OVERFLOW -> overflow(p, src, op.index());
                    case DEST_READONLY -> {
                        if (mounted) readOnly(dst, op.n());
                    }
                    default -> { }
                }
            }
            long quietStart = System.nanoTime();
            String failure = awaitEqual(src, dst, p);
            long quiet = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - quietStart);
            if (failure == null && p.log().contains("; stopping")) failure = "the daemon gave up a sync";
            if (failure != null) {
                Path kept = ChaosRun.dir().resolve(name.replaceAll("[^A-Za-z0-9.-]", "_") + ".log");
                Files.writeString(kept, p.log());
                System.out.println("chaos " + name + " (" + v + ") failed: " + failure + "\nlog: " + kept.toAbsolutePath()
                        + "\nlog tail:\n" + tail(p.log()));
            }
            return new Outcome(0, v.toString(), ops.size(), faults, quiet, failure);
        } finally {
            if (p != null) p.close();
            if (savedQueued != null) Files.writeString(Path.of(QUEUED), savedQueued + "\n");
            if (mounted) ChaosRun.sh("umount -l " + dst);
        }
    }

    private static String tail(String log) {
        String[] lines = log.split("\n");
        return String.join("\n", Arrays.copyOfRange(lines, Math.max(0, lines.length - 40), lines.length));
    }

    /**
     * The daemon frozen while 600 files appear in a watched directory (the root): 1,800 events,
     * more than its 1,024-event queue holds.
     */
    private static void overflow(JclsyncProcess p, Path src, int index) throws Exception {
        p.signal("STOP");
        try {
            for (int i = 0; i < 600; i++) Files.writeString(src.resolve("ovf-" + index + "-" + i), "overflow " + index + " " + i + "\n");
        } finally {
            p.signal("CONT");
        }
    }

    /** The destination's file system read-only for {@code millis} (a remount: root included can't write). */
    private static void readOnly(Path dst, long millis) throws Exception {
        if (ChaosRun.sh("mount -o remount,ro " + dst) != 0) return; // busy: an rsync is writing; skip
        try {
            TimeUnit.MILLISECONDS.sleep(Math.min(millis, 2500));
        } finally {
            for (int i = 0; i < 50 && ChaosRun.sh("mount -o remount,rw " + dst) != 0; i++) TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    /** @return null once DST equals SRC, else what still differs after {@link #QUIET} */
    private static String awaitEqual(Path src, Path dst, JclsyncProcess p) throws Exception {
        long deadline = System.nanoTime() + QUIET.toNanos();
        List<String> diff = List.of();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) return "the daemon exited";
            try {
                diff = TreeComparison.differences(src, dst, 10);
            } catch (IOException | UncheckedIOException e) {
                diff = List.of("changing: " + e);
            }
            if (diff.isEmpty()) return null;
            TimeUnit.MILLISECONDS.sleep(200);
        }
        return "trees apart after " + QUIET.toSeconds() + " s: " + diff;
    }
}
