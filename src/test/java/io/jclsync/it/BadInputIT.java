package io.jclsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import java.util.Arrays;

/** Each mistake a user can make gets a clear message and a non-zero exit, and the target keeps its files. */
class BadInputIT extends OneWayTestBase {
    private static final Duration EXIT = Duration.ofSeconds(30);

    @BeforeEach
    void files() throws IOException {
        Files.writeString(src.resolve("a"), "a");
        Files.writeString(dst.resolve("precious"), "only in the target");
    }

    private JclsyncProcess.Result fails(String expected, String... args) throws Exception {
        return fails(Map.of(), expected, args);
    }

    private JclsyncProcess.Result fails(Map<String, String> env, String expected, String... args) throws Exception {
        JclsyncProcess.Result r = JclsyncProcess.run(log, EXIT, env, args);
        assertEquals(2, r.exitCode(), r.output());
        assertTrue(r.output().contains(expected), "expected '" + expected + "' in:\n" + r.output());
        assertEquals("only in the target", Files.readString(dst.resolve("precious")), "a refused start touches nothing");
        assertFalse(Files.exists(dst.resolve("a")), "a refused start syncs nothing");
        return r;
    }

    @Test
    void watchDirMissingOrNotADirectory() throws Exception {
        fails("watch dir " + tmp.resolve("nope") + " does not exist", "-W", tmp.resolve("nope").toString(),
                "-D", dst.toString());
        fails("is not a directory (fix -W)", "-W", src.resolve("a").toString(), "-D", dst.toString());
        fails("missing -W/--watch-dir", "-D", dst.toString());
    }

    @Test
    void destinationMissingOrInsideTheWatchDir() throws Exception {
        fails("mkdir -p " + tmp.resolve("missing"), "-W", src.toString(), "-D", tmp.resolve("missing").toString());
        Files.createDirectories(src.resolve("inner"));
        fails("overlap", "-W", src.toString(), "-D", src.resolve("inner").toString());
    }

    @Test
    void rsyncMissingSaysHowToInstallIt() throws Exception {
        fails(Map.of("PATH", tmp.resolve("empty-bin").toString()), "apt-get install rsync",
                "-W", src.toString(), "-D", dst.toString());
        fails("rsync not found at /no/such/rsync", "-W", src.toString(), "-D", dst.toString(), "-S", "/no/such/rsync");
    }

    /** A heap too small for the tree: one line naming the option, exit 1, no stack trace. */
    @Test
    void aHeapTooSmallForTheTreeSaysWhichOptionRaisesIt() throws Exception {
        for (int i = 0; i < 40; i++) {
            for (int j = 0; j < 200; j++) Files.createDirectories(src.resolve("d" + i).resolve("e" + j));
        }
        // 8 MiB is enough for the daemon alone (it runs on an empty tree), not for 8,000 directories' watches.
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx8m",
                "--enable-native-access=ALL-UNNAMED", "-jar", JclsyncProcess.jar().toString(),
                "-W", src.toString(), "-D", dst.toString(), "-t", "1");
        try (JclsyncProcess p = JclsyncProcess.startCommand(log, cmd)) {
            assertEquals(1, p.waitFor(EXIT), p.log());
            String out = p.log();
            assertTrue(out.contains("jclsync: error: out of memory") && out.contains("JCLSYNC_JAVA_OPTS=\"") && out.contains("-Xmx1g"), out);
            assertFalse(out.contains("\tat "), "no stack trace:\n" + out);
        }
    }

    @Test
    void badRulesNameFileAndLine() throws Exception {
        Path rules = tmp.resolve("rules");
        Files.writeString(rules, "# comment\n-f\\.tmp$\n+q^x\n");
        fails(rules + ":3: unknown entry type 'q'", "-W", src.toString(), "-D", dst.toString(), "-R", rules.toString());
        Files.writeString(rules, "-*[unclosed\n");
        fails(rules + ":1: bad regular expression", "-W", src.toString(), "-D", dst.toString(), "-R", rules.toString());
    }

    @Test
    void badOptions() throws Exception {
        fails("Unknown option: '--frobnicate'", "-W", src.toString(), "-D", dst.toString(), "--frobnicate");
        fails("'soon' is not a number of seconds", "-W", src.toString(), "-D", dst.toString(), "-t", "soon");
        fails("-M", "-W", src.toString(), "-D", dst.toString(), "-M", "teleport");
        fails("-p full: jclsync never syncs one path in two batches at once", "-W", src.toString(), "-D", dst.toString(),
                "-p", "full");
        fails("-p/--threading 'fast': expected off or safe", "-W", src.toString(), "-D", dst.toString(), "-p", "fast");
        fails("not implemented in jclsync yet: --background", "-W", src.toString(), "-D", dst.toString(), "-b");
        fails("--modification-signature: 'colour' is not a stat field", "-W", src.toString(), "-D", dst.toString(),
                "--modification-signature", "size,colour");
        fails("contradict", "-W", src.toString(), "-D", dst.toString(), "--skip-initialsync", "--only-initialsync");
        fails("needs -S/--sync-handler", "-W", src.toString(), "-M", "rsyncshell");
        String[] cluster = {"-W", src.toString(), "-M", "cluster", "--cluster-name", "c", "--node-name", "n1",
                "--cluster-secret-file", tmp.resolve("secret").toString(), "--cluster-bind", "127.0.0.2:7800",
                "--cluster-peers", "127.0.0.3:7800", "--state-dir", tmp.resolve("state").toString()};
        fails("--conflict-scope 'subtree:0': expected 'file' or 'subtree:N'", concat(cluster, "--conflict-scope", "subtree:0"));
        fails("--conflict-scope 'containers': expected", concat(cluster, "--conflict-scope", "containers"));
        fails("--conflict-dir ../kept must be a plain path relative to the watch dir",
                concat(cluster, "--conflict-scope", "subtree:1", "--conflict-dir", "../kept"));
        fails("--conflict-dir /var/kept must be a plain path", concat(cluster, "--conflict-dir", "/var/kept"));
        fails("-L/--lists-dir: -M cluster writes no list files but its pulls'", concat(cluster, "-L", tmp.resolve("lists").toString()));
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void aConfigFileBlockIsUsedAndItsMistakesNameFileAndLine() throws Exception {
        Path conf = tmp.resolve("jclsync.conf");
        Files.writeString(conf, "[base]\nretries = 1\n\n[job]\nconfig-block-inherits = base\nwatch-dir = " + src
                + "\ndestination-dir = " + dst + "\ndelay-collect = soon\n");
        fails(conf + ":8: ", "-H", conf.toString(), "-K", "job");
        fails(conf + ": no block [nope]", "-H", conf.toString(), "-K", "nope");
        Files.writeString(conf, "[base]\nretries = 1\n\n[job]\nconfig-block-inherits = base\nwatch-dir = " + src
                + "\ndestination-dir = " + tmp.resolve("elsewhere") + "\nonly-initialsync = true\n");
        // The command line's -D replaces the file's destination-dir.
        JclsyncProcess.Result r = JclsyncProcess.run(log, EXIT, "-H", conf.toString(), "-K", "job", "-D", dst.toString());
        assertEquals(0, r.exitCode(), r.output());
        assertEquals("a", Files.readString(dst.resolve("a")), "the block's watch dir was synced to -D");
        assertFalse(Files.exists(tmp.resolve("elsewhere")), r.output());
    }

    @Test
    void anUnreadableSubdirectoryIsLoggedAndSkippedWhileTheRestSyncs() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv (util-linux)");
        Path secret = Files.createDirectories(src.resolve("secret"));
        Files.writeString(secret.resolve("hidden"), "h");
        Files.createDirectories(dst.resolve("secret"));
        Files.writeString(dst.resolve("secret/hidden"), "old copy in the target");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
        for (int i = 0; i < 20; i++) Files.writeString(Files.createDirectories(src.resolve("public")).resolve("f" + i), "p");
        Path status = tmp.resolve("status");
        // As root, drop the capabilities that bypass permissions so the mode really denies access.
        jclsync = JclsyncProcess.start(log, List.of("setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"),
                "-W", src.toString(), "-D", dst.toString(), "-t", "0.2", "--status-file", status.toString());
        jclsync.awaitStatus(status, "running", EXIT);
        Files.writeString(src.resolve("public/after-start"), "later");
        long deadline = System.nanoTime() + EXIT.toNanos();
        while (!Files.exists(dst.resolve("public/after-start")) && System.nanoTime() < deadline) Thread.sleep(50);
        assertEquals("later", Files.readString(dst.resolve("public/after-start")), jclsync.log());
        assertEquals("p", Files.readString(dst.resolve("public/f19")));
        assertTrue(jclsync.log().contains("secret"), "the skipped directory is named in the log:\n" + jclsync.log());
        assertEquals("old copy in the target", Files.readString(dst.resolve("secret/hidden")),
                "what could not be read is not deleted at the target");
        assertTrue(jclsync.isAlive(), jclsync.log());
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rwx------"));
    }
}
