package io.jclsync.watch;

import static org.junit.jupiter.api.Assertions.fail;

import io.jclsync.filter.Filter;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded random directory histories against the real watcher: directories made, renamed (within
 * a parent, across the tree, into a directory made just before and back, over an empty directory),
 * moved out of the tree and back, removed whole, with files written among them, all without
 * waiting for the watcher. Then every directory left in the tree gets a new file, and each of
 * those must be reported at its own path: a watch lost or left under a stale name is a local
 * write no node ever hears of. The watcher's own trace of the kernel's events is kept for a
 * failing seed, beside its steps, in {@code target/watch-history/}; the seed replays the same steps
 * (their timing against the watcher's reader differs from run to run).
 *
 * <p>The suite runs {@code watch.seeds} seeds from {@code watch.seed} (10 from 1); a long run:
 * {@code ./mvnw test -Dtest=WatchHistoryTest -Dwatch.seed=1000 -Dwatch.seeds=300}.
 */
class WatchHistoryTest {
    private static final int STEPS = 150;
    private static final Logger WATCH_LOG = Logger.getLogger(InotifyWatcher.class.getName());

    static LongStream seeds() {
        long first = Long.getLong("watch.seed", 1);
        return LongStream.range(first, first + Long.getLong("watch.seeds", 10));
    }

    @TempDir
    Path root;
    @TempDir
    Path outside;

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyDirectoryLeftIsWatchedAtItsName(long seed) throws Exception {
        InotifyWatcherTest.Recorder sink = new InotifyWatcherTest.Recorder();
        Random random = new Random(seed);
        List<String> done = new ArrayList<>();
        List<String> trace = Collections.synchronizedList(new ArrayList<>());
        Handler tracer = new Handler() {
            @Override
            public void publish(LogRecord r) {
                trace.add(r.getMessage());
            }

            @Override
            public void flush() { }

            @Override
            public void close() { }
        };
        Level was = WATCH_LOG.getLevel();
        WATCH_LOG.setLevel(Level.FINEST);
        WATCH_LOG.addHandler(tracer);
        try (InotifyWatcher watcher = InotifyWatcher.builder(root).filter(() -> Filter.ACCEPT_ALL).sink(sink).build()) {
            watcher.start();
            for (int step = 0; step < STEPS; step++) {
                String what = step(random, step);
                if (what != null) done.add(step + " " + what);
                if (random.nextInt(10) == 0) Thread.sleep(random.nextInt(80));
            }
            Thread.sleep(200); // past the rename pairing's wait
            Set<Path> markers = new HashSet<>();
            for (Path dir : directories()) {
                Path marker = dir.resolve("marker");
                Files.writeString(root.resolve(marker), "m");
                markers.add(marker);
            }
            try {
                sink.awaitUntil(r -> r.paths(FsEvent.Kind.CLOSE_WRITE).containsAll(markers) || !r.rescans.isEmpty()
                        || r.failure != null, markers.size() + " markers");
            } catch (AssertionError missing) {
                // told below
            }
            Set<Path> lost = new HashSet<>(markers);
            Set<Path> elsewhere = new HashSet<>();
            synchronized (sink) {
                if (sink.failure == null && !sink.rescans.isEmpty()) return; // an overflow: the sink rescans
                lost.removeAll(sink.paths(FsEvent.Kind.CLOSE_WRITE));
                for (Path p : sink.paths(FsEvent.Kind.CLOSE_WRITE)) {
                    if (p.endsWith("marker") && !markers.contains(p)) elsewhere.add(p);
                }
            }
            if (sink.failure == null && lost.isEmpty()) return;
            Path kept = Files.createDirectories(Path.of("target", "watch-history"));
            Files.write(kept.resolve("seed-" + seed + ".steps"), done);
            Files.write(kept.resolve("seed-" + seed + ".events"), List.copyOf(trace));
            fail("seed " + seed + ": " + (sink.failure != null ? "the watcher failed: " + sink.failure
                    : "writes never reported at " + lost + " (reported at " + elsewhere + ")")
                    + "; its steps and the kernel's events are in " + kept.toAbsolutePath());
        } finally {
            WATCH_LOG.removeHandler(tracer);
            WATCH_LOG.setLevel(was);
        }
    }

    /** One random step; @return what it did, or null if it found nothing to do. */
    private String step(Random random, int step) throws IOException {
        List<Path> dirs = directories();
        Path any = dirs.get(random.nextInt(dirs.size()));
        String name = "d" + random.nextInt(12);
        try {
            switch (random.nextInt(9)) {
                case 0, 1 -> {
                    Path made = any.resolve(name);
                    Files.createDirectory(root.resolve(made));
                    return "mkdir " + made;
                }
                case 2 -> {
                    Path file = any.resolve("f" + step);
                    Files.writeString(root.resolve(file), "x");
                    return "write " + file;
                }
                case 3, 4 -> {
                    if (any.toString().isEmpty()) return null;
                    Path target = dirs.get(random.nextInt(dirs.size())).resolve(name);
                    if (target.startsWith(any)) return null;
                    // Over an empty directory too, as rename(2) allows.
                    Files.move(root.resolve(any), root.resolve(target), StandardCopyOption.REPLACE_EXISTING);
                    return "rename " + any + " -> " + target;
                }
                case 5 -> {
                    // Into a directory made just now, and straight back.
                    if (any.toString().isEmpty()) return null;
                    Path fresh = any.resolveSibling("fresh" + step);
                    Files.createDirectory(root.resolve(fresh));
                    Files.move(root.resolve(any), root.resolve(fresh.resolve(any.getFileName())));
                    Files.move(root.resolve(fresh.resolve(any.getFileName())), root.resolve(any));
                    return "rename " + any + " into new " + fresh + " and back";
                }
                case 6 -> {
                    if (any.toString().isEmpty()) return null;
                    Path out = outside.resolve("o" + step);
                    Files.move(root.resolve(any), out);
                    if (random.nextBoolean()) {
                        Files.move(out, root.resolve(any));
                        return "move " + any + " out and back";
                    }
                    return "move " + any + " out";
                }
                case 7 -> {
                    if (any.toString().isEmpty()) return null;
                    removeAll(root.resolve(any));
                    return "rm -r " + any;
                }
                default -> {
                    try (Stream<Path> out = Files.list(outside)) {
                        Path back = out.findFirst().orElse(null);
                        if (back == null) return null;
                        Path target = any.resolve(name);
                        Files.move(back, root.resolve(target));
                        return "move in " + target;
                    }
                }
            }
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException | NoSuchFileException taken) {
            return null;
        }
    }

    /** Every directory in the tree, relative to it (the tree itself as the empty path), parents first. */
    private List<Path> directories() throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isDirectory).map(root::relativize).sorted(Comparator.comparing(Path::toString)).toList();
        }
    }

    private static void removeAll(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
