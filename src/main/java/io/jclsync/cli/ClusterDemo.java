package io.jclsync.cli;

import io.jclsync.fs.FileTrees;
import io.jclsync.fs.TreeComparison;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The cluster half of {@code jclsync demo}: three jclsync processes in cluster mode on 127.0.0.2,
 * .3 and .4, each with its own directory; files written on two of them reach all three, and the
 * counters show that nothing was announced back.
 */
final class ClusterDemo {
    private final PrintWriter out;
    private final Path base;
    private final List<Path> trees = new ArrayList<>();
    private final List<Path> states = new ArrayList<>();
    private final List<Process> nodes = new ArrayList<>();

    ClusterDemo(PrintWriter out, Path base) {
        this.out = out;
        this.base = base;
    }

    boolean run() throws Exception {
        Path secret = base.resolve("secret");
        Files.writeString(secret, "demo secret " + ThreadLocalRandom.current().nextLong() + "\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        int port = ThreadLocalRandom.current().nextInt(20000, 40000);
        String peers = "127.0.0.2:" + port + ",127.0.0.3:" + port + ",127.0.0.4:" + port;
        for (int i = 1; i <= 3; i++) {
            trees.add(Files.createDirectories(base.resolve("node" + i)));
            states.add(base.resolve("state" + i));
        }
        Files.writeString(trees.get(0).resolve("hello.txt"), "on node1 before the cluster started\n");
        say("three nodes: %s/node1, node2, node3 (cluster addresses 127.0.0.2-4:%d)", base, port);
        try {
            for (int i = 0; i < 3; i++) nodes.add(start(i, secret, port, peers));
            boolean ok = step("the nodes find each other; node1's file reaches node2 and node3", () -> { });
            ok &= step("write 100 files on node1 and 100 on node2 at the same time", () -> {
                for (int f = 0; f < 100; f++) {
                    write(trees.get(0).resolve("from-node1/d" + f % 10 + "/f" + f), "node1 " + f);
                    write(trees.get(1).resolve("from-node2/f" + f), "node2 " + f);
                }
            });
            ok &= step("rename a directory on node3 (applied as a rename everywhere)", () ->
                    Files.move(trees.get(2).resolve("from-node1/d3"), trees.get(2).resolve("from-node1/renamed")));
            ok &= step("delete a directory on node2", () -> deleteTree(trees.get(1).resolve("from-node1/d5")));
            Thread.sleep(1000);
            say("counters (STATE_DIR/counters.json): each change announced by the node that made it, pulled once by each peer");
            for (int i = 0; i < 3; i++) {
                String c = Files.readString(states.get(i).resolve("counters.json")).strip();
                say("  node%d %s", i + 1, c.replaceAll("[{}\"]", "").replace("_", " "));
            }
            return ok;
        } finally {
            boolean clean = true;
            for (Process p : nodes) {
                p.destroy();
                clean &= p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
            }
            say("the three nodes stopped%s", clean ? " cleanly (exit 0)" : "; one did not stop cleanly, see " + base);
        }
    }

    private Process start(int i, Path secret, int port, String peers) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        String jar;
        try {
            jar = Path.of(ClusterDemo.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        List<String> cmd = List.of(java, "-Xmx128m", "-XX:+UseSerialGC", "--add-opens", "java.base/sun.nio.fs=ALL-UNNAMED",
                "--enable-native-access=ALL-UNNAMED", "-jar", jar, "-M", "cluster", "-W", trees.get(i).toString(),
                "--cluster-name", "demo", "--node-name", "node" + (i + 1), "--cluster-secret-file", secret.toString(),
                "--cluster-bind", "127.0.0." + (i + 2) + ":" + port, "--cluster-peers", peers,
                "--transfer-port", Integer.toString(port + 1), "--state-dir", states.get(i).toString(), "-t", "0.3");
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(base.resolve("node" + (i + 1) + ".log").toFile()).start();
    }

    private boolean step(String what, DemoStep.Action action) throws Exception {
        return DemoStep.run(out, what, "all three nodes equal", action, () -> {
            for (Process p : nodes) {
                if (!p.isAlive()) {
                    say("  a node exited (%d); see the logs in %s", p.exitValue(), base);
                    return null;
                }
            }
            List<String> diffs = new ArrayList<>();
            for (int i = 1; i < 3; i++) diffs.addAll(TreeComparison.differences(trees.get(0), trees.get(i), 3));
            return diffs;
        }, Duration.ofSeconds(45), 100);
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) FileTrees.delete(dir, dir.getParent());
    }

    private void say(String format, Object... args) {
        out.printf(format + "%n", args);
        out.flush();
    }
}
