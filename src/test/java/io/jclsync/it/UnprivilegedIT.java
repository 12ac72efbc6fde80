package io.jclsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;

/**
 * jclsync run the way a careful operator runs it: as an unprivileged user ({@code nobody}, through
 * {@code setpriv}) that owns its trees and state dirs, with no home ({@code /nonexistent}) and a
 * private {@code java.io.tmpdir}. Three cluster nodes converge on writes made on two of them, and
 * a one-way sync works too. Needs root to switch users (skipped without it, except under CI).
 */
class UnprivilegedIT extends ClusterTestBase {
    private static final String USER = "nobody";
    private int uid;
    private int gid;
    /** The user's own dir: state dirs, its tmpdir, the one-way trees. */
    private Path home;

    @BeforeEach
    void asUnprivilegedUser() throws Exception {
        Root.assume("running jclsync as another user (setpriv --reuid)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv (util-linux)");
        uid = Integer.parseInt(output("id", "-u", USER));
        gid = Integer.parseInt(output("id", "-g", USER));
        // The temp dir is root's (0700): let the user through it, to its own dirs only.
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
        home = Files.createDirectory(tmp.resolve("user"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Files.createDirectory(home.resolve("tmp"));
        for (int i = 0; i < 3; i++) states.set(i, home.resolve("state" + (i + 1)));
        Root.run(List.of("chown", "-R", uid + ":" + gid, home.toString(), secret.toString(),
                trees.get(0).toString(), trees.get(1).toString(), trees.get(2).toString()));
        // The build's jar may sit below a dir only root can enter (a clone in a 0700 temp dir): the
        // user runs a readable copy, as an installed jar would be.
        Path jarDir = Files.createDirectory(tmp.resolve("jar"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        Path jar = Files.copy(JclsyncProcess.jar(), jarDir.resolve("jclsync.jar"));
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        buildJar = System.getProperty("jclsync.jar");
        System.setProperty("jclsync.jar", jar.toString());
    }

    /** The build's jar, put back after each test. */
    private String buildJar;

    @AfterEach
    void buildJarAgain() {
        if (buildJar != null) System.setProperty("jclsync.jar", buildJar);
    }

    private static String output(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed: " + out);
        return out;
    }

    /** setpriv as the user, no supplementary groups (root's would let it write what it must not). */
    private List<String> asUser() {
        return List.of("setpriv", "--reuid", Integer.toString(uid), "--regid", Integer.toString(gid), "--clear-groups", "--");
    }

    /** No home; java.io.tmpdir (list files, JNA's library) in the user's dir; no hsperfdata in /tmp. */
    private Map<String, String> env() {
        return Map.of("HOME", "/nonexistent",
                "JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + home.resolve("tmp") + " -XX:-UsePerfData");
    }

    @Override
    List<String> launcher(int i) {
        return asUser();
    }

    @Override
    void startNode(int i) throws IOException {
        startNode(i, env());
    }

    /** Runs {@code script} with sh in {@code dir} as the user, so what it makes is the user's, as in real use. */
    private void write(Path dir, String script) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(asUser());
        cmd.addAll(List.of("sh", "-ec", "cd \"$0\"; " + script, dir.toString()));
        Root.run(cmd);
    }

    /** Top-level entries of /tmp that belong to the user. */
    private Set<String> usersTmpEntries() throws IOException {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> s = Files.list(Path.of("/tmp"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    if ((Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS) == uid) {
                        out.add(p.getFileName().toString());
                    }
                } catch (NoSuchFileException gone) {
                    // another process's temp file, removed meanwhile
                }
            }
        }
        return out;
    }

    @Test
    void aClusterOfUnprivilegedNodesConverges() throws Exception {
        Set<String> tmpBefore = usersTmpEntries();
        startCluster();
        write(trees.get(0), "mkdir -p from-n1/deep; for i in $(seq 1 30); do echo \"n1 file $i\" > from-n1/deep/f$i; done; "
                + "head -c 2000000 /dev/urandom > from-n1/big.bin; chmod 640 from-n1/deep/f1");
        write(trees.get(1), "mkdir from-n2; for i in $(seq 1 30); do echo \"n2 file $i\" > from-n2/g$i; done; "
                + "echo 'appended on n2' >> there-before.txt; ln -s deep/f2 from-n2/link");
        awaitConverged("writes on n1 and n2, made and pulled as " + USER);
        awaitQuiet(Duration.ofMillis(1500));
        for (Path tree : trees) {
            assertEquals("n1 file 7\n", Files.readString(tree.resolve("from-n1/deep/f7")), tree.toString());
            assertEquals("n2 file 30\n", Files.readString(tree.resolve("from-n2/g30")), tree.toString());
            assertEquals("written before the cluster started\nappended on n2\n", Files.readString(tree.resolve("there-before.txt")));
            assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(tree.resolve("from-n1/deep/f1"))));
            assertEquals(-1, Files.mismatch(trees.get(0).resolve("from-n1/big.bin"), tree.resolve("from-n1/big.bin")));
            try (Stream<Path> all = Files.walk(tree)) {
                for (Path p : (Iterable<Path>) all::iterator) {
                    assertEquals(uid, Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                            p + " belongs to the user running the node");
                }
            }
        }
        for (int i = 0; i < 3; i++) {
            String log = nodes.get(i).log();
            assertFalse(log.contains("lock file") || log.contains("code 5"), "n" + (i + 1) + "'s pulls failed:\n" + log);
            assertTrue(counters(i).getOrDefault("files_pulled", 0L) >= 30, "n" + (i + 1) + " pulled: " + counters(i));
            // The transfer key was made in the state dir, the user's own, 0600; the peers' keys are pinned there.
            Path key = states.get(i).resolve("transfer-identity.pem");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)), key.toString());
            assertEquals(uid, Files.getAttribute(key, "unix:uid"), key + " belongs to the user running the node");
            String pins = Files.readString(states.get(i).resolve("transfer-pins"));
            for (int peer = 0; peer < 3; peer++) {
                if (peer != i) assertTrue(pins.contains("n" + (peer + 1) + " "), "n" + (i + 1) + " pinned n" + (peer + 1) + ": " + pins);
            }
            int stateMode = (Integer) Files.getAttribute(states.get(i), "unix:mode");
            assertEquals(0, stateMode & 022, "n" + (i + 1) + "'s state dir is writable by others: " + Integer.toOctalString(stateMode));
        }
        assertEquals(tmpBefore, usersTmpEntries(), "the nodes made nothing in /tmp");
    }

    @Test
    void aStateDirOthersCanWriteIsRefusedAtStart() throws Exception {
        Files.createDirectory(states.get(0));
        Files.setPosixFilePermissions(states.get(0), PosixFilePermissions.fromString("rwxrwxrwx"));
        Root.run(List.of("chown", uid + ":" + gid, states.get(0).toString()));
        startNode(0);
        assertNotEquals(0, nodes.get(0).waitFor(Duration.ofSeconds(30)));
        String log = nodes.get(0).log();
        assertTrue(log.contains("writable by group or others") && log.contains("chmod 700 " + states.get(0)), log);
        assertFalse(Files.exists(states.get(0).resolve("rsyncd.secrets")), "nothing was written into it");
    }

    @Test
    void oneWaySyncRunsUnprivileged() throws Exception {
        Path src = Files.createDirectory(home.resolve("src"));
        Path dst = Files.createDirectory(home.resolve("dst"));
        Path status = home.resolve("status");
        Root.run(List.of("chown", uid + ":" + gid, src.toString(), dst.toString()));
        write(src, "echo before > before.txt");
        nodes.set(0, JclsyncProcess.start(tmp.resolve("one-way.log"), asUser(), env(), "-W", src.toString(), "-D",
                dst.toString(), "-M", "rsyncdirect", "-t", "0.2", "--status-file", status.toString(), "-v"));
        nodes.get(0).awaitStatus(status, "running", CONVERGE);
        write(src, "mkdir -p a/b; echo later > a/b/c; echo more >> before.txt; ln -s a/b/c link; mv a/b a/moved");
        Trees.awaitEqual(src, dst, CONVERGE, nodes.get(0));
        assertEquals("later\n", Files.readString(dst.resolve("a/moved/c")));
    }
}
