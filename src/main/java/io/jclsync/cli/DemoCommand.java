package io.jclsync.cli;

import io.jclsync.batch.Delays;
import io.jclsync.config.Config;
import io.jclsync.config.Mode;
import io.jclsync.daemon.Daemon;
import io.jclsync.fs.FileTrees;
import io.jclsync.fs.TreeComparison;
import io.jclsync.sync.ExitCodePolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jclsync demo}: a source and a target under a temp dir, live sync between them, and a
 * series of writes, renames and deletes in the source, each shown arriving in the target.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Show live sync on throw-away directories: one-way to a target, then a three-node cluster.")
final class DemoCommand implements Callable<Integer> {
    @Mixin
    Verbosity verbosity;

    @Option(names = "--keep", description = "Keep the temp dir afterwards to look at it.")
    boolean keep;

    @Option(names = "--part", paramLabel = "PART", defaultValue = "all",
            description = "one-way, cluster or all (default).")
    String part;

    @Spec
    CommandSpec spec;

    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        verbosity.quiet = verbosity.verbose.length == 0 && verbosity.debug.length == 0;
        verbosity.apply();
        out = spec.commandLine().getOut();
        if (SyncOptions.findExecutable("rsync") == null) {
            spec.commandLine().getErr().println("jclsync demo: rsync is missing; install it: sudo apt-get install rsync");
            return 1;
        }
        if (!List.of("all", "one-way", "cluster").contains(part)) {
            spec.commandLine().getErr().println("jclsync demo: --part is one-way, cluster or all");
            return 2;
        }
        Path base = Files.createTempDirectory("jclsync-demo-");
        boolean clusterOk = true;
        if (!part.equals("one-way")) {
            if (!part.equals("cluster")) say("== one-way sync ==");
        }
        if (part.equals("cluster")) {
            say("== cluster: three nodes, every direction ==");
            clusterOk = new ClusterDemo(out, Files.createDirectory(base.resolve("cluster"))).run();
            if (keep) say("kept %s", base);
            else deleteTree(base);
            return clusterOk ? 0 : 1;
        }
        Path source = Files.createDirectory(base.resolve("source"));
        Path target = Files.createDirectory(base.resolve("target"));
        Files.writeString(source.resolve("README.txt"), "present before jclsync started\n");
        say("source: %s%ntarget: %s", source, target);
        Config config = Config.builder()
                .watchDir(source)
                .destination(target.toString())
                .mode(Mode.RSYNCDIRECT)
                .syncHandler("rsync")
                .delays(new Delays(Duration.ofMillis(300), Duration.ofSeconds(2), 1 << 20, Duration.ZERO,
                        Delays.DEFAULT_FOLD_THRESHOLD))
                .timeoutSync(Duration.ofMinutes(5))
                .retries(3)
                .ignoredExitCodes(ExitCodePolicy.DEFAULT_IGNORED)
                .label("demo")
                .statusFile(base.resolve("status"))
                .build();
        Daemon daemon = new Daemon(config);
        int[] exit = {-1};
        Thread runner = new Thread(() -> exit[0] = daemon.run(), "jclsync-demo-daemon");
        runner.start();
        boolean ok = true;
        try {
            ok &= step("initial sync copies what was there", source, target, () -> { });
            ok &= step("write 200 files in 20 new nested directories", source, target, () -> {
                for (int d = 0; d < 20; d++) {
                    Path dir = Files.createDirectories(source.resolve("projects/p" + d + "/src"));
                    for (int f = 0; f < 10; f++) Files.writeString(dir.resolve("file" + f + ".txt"), "d" + d + " f" + f + "\n");
                }
            });
            ok &= step("append to a file", source, target, () ->
                    Files.writeString(source.resolve("README.txt"), "and appended while it ran\n",
                            StandardCharsets.UTF_8, StandardOpenOption.APPEND));
            ok &= step("rename a directory of 10 files (applied as a rename, not a copy)", source, target, () ->
                    Files.move(source.resolve("projects/p3"), source.resolve("projects/renamed")));
            ok &= step("a name with spaces and a newline, and a symlink", source, target, () -> {
                Files.writeString(source.resolve("odd name\nwith newline.txt"), "still synced\n");
                Files.createSymbolicLink(source.resolve("link-to-readme"), Path.of("README.txt"));
            });
            ok &= step("delete a directory tree", source, target, () -> deleteTree(source.resolve("projects/p7")));
        } finally {
            daemon.stop();
            runner.join();
        }
        say("jclsync stopped (exit %d). %s", exit[0], ok ? "Everything arrived." : "Some steps did not converge.");
        if (part.equals("all")) {
            say("%n== cluster: three nodes, every direction ==");
            clusterOk = new ClusterDemo(out, Files.createDirectory(base.resolve("cluster"))).run();
        }
        if (keep) say("kept %s", base);
        else deleteTree(base);
        return ok && exit[0] == 0 && clusterOk ? 0 : 1;
    }

    private boolean step(String what, Path source, Path target, DemoStep.Action action) throws Exception {
        return DemoStep.run(out, what, "target equals source", action,
                () -> TreeComparison.differences(source, target, 5), Duration.ofSeconds(20), 50);
    }

    private void say(String format, Object... args) {
        out.printf(format + "%n", args);
        out.flush();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) FileTrees.delete(dir, dir.getParent());
    }
}
