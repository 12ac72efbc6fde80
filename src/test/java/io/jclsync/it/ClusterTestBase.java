package io.jclsync.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import java.util.function.LongPredicate;

/**
 * Three jclsync processes in cluster mode on 127.0.0.2-4 (TCP), each with its own directory and
 * state dir: starting and stopping them, waiting for their trees to converge, reading counters.
 */
abstract class ClusterTestBase {
    static final Duration CONVERGE = Duration.ofSeconds(60);
    static final Pattern COUNTER = Pattern.compile("\"([a-z_]+)\": (\\d+)");

    @TempDir
    Path tmp;
    final List<Path> trees = new ArrayList<>();
    final List<Path> states = new ArrayList<>();
    final List<JclsyncProcess> nodes = new ArrayList<>();

    Path secret;
    int port;

    @BeforeEach
    void setUp() throws Exception {
        secret = tmp.resolve("secret");
        Files.writeString(secret, "the cluster secret of this test\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        port = ThreadLocalRandom.current().nextInt(20000, 40000);
        for (int i = 0; i < 3; i++) {
            trees.add(Files.createDirectories(tmp.resolve("n" + (i + 1))));
            states.add(tmp.resolve("state" + (i + 1)));
            nodes.add(null);
        }
        Files.writeString(trees.get(0).resolve("there-before.txt"), "written before the cluster started\n");
    }

    /** Starts node {@code i} (0-based) as a separate jclsync process on 127.0.0.(i+2). */
    void startNode(int i) throws IOException {
        startNode(i, Map.of());
    }

    void startNode(int i, Map<String, String> env) throws IOException {
        List<String> args = new ArrayList<>(List.of("-M", "cluster", "-W",
                trees.get(i).toString(), "--cluster-name", "it", "--node-name", "n" + (i + 1),
                "--cluster-secret-file", secret.toString(), "--cluster-bind", address(i) + ":" + port,
                "--transfer-port", Integer.toString(port + 1),
                "--state-dir", states.get(i).toString(), "-t", collectDelay(), "-v"));
        args.addAll(discovery());
        args.addAll(extraArgs(i));
        nodes.set(i, JclsyncProcess.start(tmp.resolve("n" + (i + 1) + ".log"), launcher(i), env, args.toArray(String[]::new)));
    }

    /** The nodes' collect delay ({@code -t}), in seconds. */
    String collectDelay() {
        return "0.3";
    }

    /** Node {@code i}'s cluster address. */
    String address(int i) {
        return "127.0.0." + (i + 2);
    }

    /** How nodes find each other: TCP with the three addresses as peers. */
    List<String> discovery() {
        return List.of("--cluster-peers", address(0) + ":" + port + "," + address(1) + ":" + port + "," + address(2) + ":" + port);
    }

    /** More options for node {@code i}. */
    List<String> extraArgs(int i) {
        return List.of();
    }

    /** A command to run node {@code i} under (e.g. ip netns exec), or empty. */
    List<String> launcher(int i) {
        return List.of();
    }

    void startCluster() throws Exception {
        for (int i = 0; i < 3; i++) startNode(i);
        awaitConverged("the file that was there before start", List.of(0, 1, 2));
    }

    @AfterEach
    void stopCluster() throws Exception {
        for (JclsyncProcess n : nodes) {
            if (n != null) n.close();
        }
    }

    void awaitConverged(String what) throws Exception {
        awaitConverged(what, List.of(0, 1, 2));
    }

    void awaitConverged(String what, List<Integer> which) throws Exception {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        for (int i : which) {
            if (i == 0) continue;
            long left = Math.max(0, deadline - System.nanoTime());
            try {
                Trees.awaitEqual(trees.get(0), trees.get(i), Duration.ofNanos(left), nodes.get(i));
            } catch (AssertionError e) {
                throw new AssertionError(what + ": n" + (i + 1) + " differs from n1: " + e.getMessage() + logs());
            }
        }
    }

    /** The logs of the nodes started so far, to explain a failure. */
    String logs() throws IOException {
        StringBuilder logs = new StringBuilder();
        for (int n = 0; n < 3; n++) {
            if (nodes.get(n) != null) logs.append("\n--- n").append(n + 1).append(" log:\n").append(nodes.get(n).log());
        }
        return logs.toString();
    }

    /** Node {@code node}'s counters; none before it has saved them (nothing has happened there yet). */
    Map<String, Long> counters(int node) throws IOException {
        Map<String, Long> out = new HashMap<>();
        Path file = states.get(node).resolve("counters.json");
        if (!Files.exists(file)) return out;
        Matcher m = COUNTER.matcher(Files.readString(file));
        while (m.find()) out.put(m.group(1), Long.parseLong(m.group(2)));
        return out;
    }

    /** How many live batches a node's status text says {@code peer} has not applied yet (-1: not listed). */
    static long behind(String status, String peer) {
        Matcher m = Pattern.compile("\"" + peer + "\": \\{\"batches\": (\\d+), \"changes\": (\\d+)").matcher(status);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** Waits until node {@code node}'s status says {@code peer} is behind by a number of batches that {@code ok} accepts. */
    void awaitBehind(int node, String peer, LongPredicate ok, String what) throws Exception {
        Trees.awaitText(states.get(node).resolve("status.json"), t -> ok.test(behind(t, peer)), CONVERGE,
                "a status saying " + peer + " is " + what, nodes.get(node));
    }

    List<Map<String, Long>> allCounters() throws IOException {
        List<Map<String, Long>> all = new ArrayList<>();
        for (int i = 0; i < 3; i++) all.add(counters(i));
        return all;
    }

    /** Waits until no counter moves for {@code quiet}: nothing announced, pulled or echoed any more. */
    List<Map<String, Long>> awaitQuiet(Duration quiet) throws Exception {
        List<Map<String, Long>> last = allCounters();
        long stableSince = System.nanoTime();
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (System.nanoTime() - stableSince < quiet.toNanos()) {
            if (System.nanoTime() > deadline) throw new AssertionError("the cluster never went quiet: " + last);
            Thread.sleep(100);
            List<Map<String, Long>> now = allCounters();
            if (!now.equals(last)) {
                last = now;
                stableSince = System.nanoTime();
            }
        }
        return last;
    }

}
