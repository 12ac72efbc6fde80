package io.jclsync.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.time.Instant;

/** What the chaos checkers share: their options, keeping (and shrinking) a failing history, the results table. */
final class ChaosRun {
    private ChaosRun() {}

    /** A history that fails when run. */
    interface Failing {
        boolean fails(List<ChaosOp> ops) throws Exception;
    }

    record Options(long firstSeed, int seeds, int steps, Path replay, boolean shrink, int shrinkRuns, boolean cluster) {
        static Options fromSystemProperties() {
            String replay = System.getProperty("chaos.replay", "");
            return new Options(Long.getLong("chaos.seed", 1), Integer.getInteger("chaos.seeds", 4),
                    Integer.getInteger("chaos.steps", 100), replay.isEmpty() ? null : Path.of(replay),
                    Boolean.getBoolean("chaos.shrink"), Integer.getInteger("chaos.shrinkRuns", 16),
                    "cluster".equals(System.getProperty("chaos.kind")));
        }
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Runs a shell command quietly; its exit code. */
    static int sh(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    static Path dir() throws IOException {
        return Files.createDirectories(Path.of("target", "chaos"));
    }

    /**
     * Writes a failing history to target/chaos/KIND-SEED.history (replay it with
     * {@code scripts/chaos --replay FILE}) and, with {@code chaos.shrink}, a shrunk one beside it:
     * steps dropped (halves, then quarters, ...) while it still fails.
     */
    static void keep(String kind, long seed, List<String> variant, List<ChaosOp> ops, Options o, Failing failing)
            throws Exception {
        List<String> header = new ArrayList<>(List.of("chaos " + kind + " history", "seed=" + seed));
        header.addAll(variant);
        Path file = dir().resolve(kind + "-" + seed + ".history");
        ChaosOp.write(file, header, ops);
        System.out.println("chaos: seed " + seed + " failed; replay with: scripts/chaos --replay " + file.toAbsolutePath());
        if (!o.shrink()) return;
        List<ChaosOp> shrunk = shrink(ops, o.shrinkRuns(), failing);
        Path small = dir().resolve(kind + "-" + seed + ".shrunk.history");
        ChaosOp.write(small, header, shrunk);
        System.out.println("chaos: shrunk to " + shrunk.size() + " of " + ops.size() + " steps: " + small.toAbsolutePath());
    }

    private static List<ChaosOp> shrink(List<ChaosOp> ops, int runs, Failing failing) throws Exception {
        List<ChaosOp> current = new ArrayList<>(ops);
        int chunk = Math.max(1, current.size() / 2);
        int tries = 0;
        while (chunk >= 1 && tries < runs) {
            boolean removed = false;
            for (int from = 0; from < current.size() && tries < runs; from += chunk) {
                List<ChaosOp> candidate = new ArrayList<>(current.subList(0, from));
                candidate.addAll(current.subList(Math.min(current.size(), from + chunk), current.size()));
                tries++;
                if (!candidate.isEmpty() && failing.fails(candidate)) {
                    current = candidate;
                    removed = true;
                    from -= chunk;
                }
            }
            if (!removed) chunk /= 2;
        }
        return current;
    }

    /** One history's outcome: {@code failure} null when it passed. */
    interface Result {
        long seed();

        String failure();
    }

    /** A kept history run again: its failure, or null. */
    interface Replay {
        String failure(Path history) throws Exception;
    }

    /** Reports the results and fails naming every failing seed. */
    static void finish(String kind, List<? extends Result> results) throws IOException {
        report(kind, results);
        org.junit.jupiter.api.Assertions.assertTrue(results.stream().allMatch(r -> r.failure() == null),
                "failing seeds: " + results.stream().filter(r -> r.failure() != null)
                        .map(r -> r.seed() + ": " + r.failure()).toList());
    }

    /** Runs every history kept in src/test/resources/chaos/PREFIX*.history; each must pass. */
    static void replayKept(String prefix, Replay replay) throws Exception {
        Path dir = Path.of("src/test/resources/chaos");
        if (!Files.isDirectory(dir)) return;
        List<Path> kept = new ArrayList<>();
        try (var files = Files.newDirectoryStream(dir, prefix + "*.history")) {
            files.forEach(kept::add);
        }
        kept.sort(null);
        for (Path f : kept) {
            String failure = replay.failure(f);
            org.junit.jupiter.api.Assertions.assertTrue(failure == null, f + ": " + failure);
        }
    }

    /** Prints the results table and appends it to target/chaos/results.md. */
    static void report(String kind, List<?> outcomes) throws IOException {
        StringBuilder t = new StringBuilder("\n" + kind + " chaos, " + Instant.now() + "\n");
        for (Object o : outcomes) t.append(o).append('\n');
        System.out.println(t);
        Files.writeString(dir().resolve("results.md"), t, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }
}
