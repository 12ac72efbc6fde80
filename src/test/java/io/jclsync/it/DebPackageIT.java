package io.jclsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Debian package as a user gets it: {@code apt-get install ./target/jclsync_*.deb}, then the
 * installed launcher, man page and unit, a one-way sync run by {@code /usr/bin/jclsync}, and
 * {@code apt-get purge}, after which nothing the package installed is left. Needs root (CI runs
 * as root on Debian 12, where the dependencies are already installed, so apt fetches nothing);
 * the package is purged after the test whatever happens.
 */
class DebPackageIT extends OneWayTestBase {
    private static final String[] APT = {"env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "-y", "-q"};

    private boolean installed;

    private static String run(String... cmd) throws IOException, InterruptedException {
        return Root.run(List.of(cmd));
    }

    private static String apt(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(APT));
        cmd.addAll(List.of(args));
        return Root.run(cmd);
    }

    private static boolean jclsyncInstalled() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("dpkg-query", "-W", "-f", "${db:Status-Status}", "jclsync")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        return p.waitFor() == 0 && out.strip().equals("installed");
    }

    /** The package the build made: target/jclsync_VERSION_all.deb, next to the jar. */
    private static Path builtPackage() throws IOException {
        try (Stream<Path> files = Files.list(JclsyncProcess.jar().getParent())) {
            List<Path> debs = files.filter(f -> f.getFileName().toString().matches("jclsync_.+_all\\.deb")).toList();
            assertEquals(1, debs.size(), "one package in target/: " + debs);
            return debs.get(0);
        }
    }

    @AfterEach
    void purge() throws Exception {
        if (jclsync != null) jclsync.close();
        if (installed) apt("purge", "jclsync");
    }

    @Test
    void installsRunsAndPurgesWithoutATrace() throws Exception {
        Root.assume("installing a package");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/apt-get")), "needs apt-get (Debian)");
        assumeTrue(System.getenv("CI") != null || !jclsyncInstalled(),
                "jclsync is installed on this machine and the test would purge it");
        Path deb = builtPackage();
        String debVersion = deb.getFileName().toString().replaceAll("^jclsync_(.+)_all\\.deb$", "$1");

        installed = true;
        apt("install", deb.toAbsolutePath().toString());
        assertEquals(debVersion, run("dpkg-query", "-W", "-f", "${Version}", "jclsync"));
        List<String> files = run("dpkg", "-L", "jclsync").lines().filter(l -> l.startsWith("/")).toList();

        assertEquals("jclsync " + System.getProperty("jclsync.version"), run("/usr/bin/jclsync", "--version").strip());
        assertEquals("/usr/share/man/man1/jclsync.1.gz", run("man", "-w", "jclsync").strip());
        assertTrue(Files.isRegularFile(Path.of("/usr/share/bash-completion/completions/jclsync")));
        assertTrue(run("zcat", "/usr/share/doc/jclsync/changelog.gz").startsWith("jclsync (" + debVersion + ") "),
                "src/deb/changelog's first entry is this version (lintian does not check it)");
        assertTrue(run("dpkg-query", "-W", "-f", "${Conffiles}", "jclsync").contains("/etc/jclsync/jclsync.conf"),
                "the config file is a conffile");
        assertTrue(run("getent", "passwd", "jclsync").contains(":/var/lib/jclsync:"), "the system user exists");
        assertEquals("drwx------ jclsync:jclsync", run("stat", "-c", "%A %U:%G", "/var/lib/jclsync").strip());
        assertTrue(Files.size(Path.of("/var/cache/jclsync/jclsync.jsa")) > 0,
                "postinst made the class-data-sharing archive for the installed JDK");

        // systemd-analyze checks an instance: the unit is a template (one instance per config block).
        String unit = Files.readString(Path.of("/lib/systemd/system/jclsync@.service"));
        assertTrue(unit.contains("ExecStart=/usr/bin/jclsync -H /etc/jclsync/jclsync.conf -K %i"), unit);
        Path instance = tmp.resolve("jclsync@www.service");
        Files.writeString(instance, unit);
        assertEquals("", run("systemd-analyze", "verify", instance.toString()).strip(), "systemd-analyze has no complaint");

        Files.createDirectories(src.resolve("before"));
        Files.writeString(src.resolve("before/start.txt"), "there before start");
        jclsync = JclsyncProcess.startCommand(log, List.of("/usr/bin/jclsync", "-W", src.toString(), "-D",
                dst.toString(), "-t", "0.2", "--status-file", status.toString()));
        jclsync.awaitStatus(status, "running", CONVERGE);
        Trees.awaitEqual(src, dst, CONVERGE, jclsync);
        Files.writeString(src.resolve("live.txt"), "written while it runs");
        Files.move(src.resolve("before"), src.resolve("renamed"));
        Trees.awaitEqual(src, dst, CONVERGE, jclsync);
        assertEquals(0, jclsync.terminate(CONVERGE), "SIGTERM stops cleanly");

        apt("purge", "jclsync");
        installed = false;
        assertFalse(jclsyncInstalled());
        List<String> left = new ArrayList<>(files.stream().filter(f -> Files.exists(Path.of(f))).toList());
        for (String f : left) assertTrue(Files.isDirectory(Path.of(f)), f + " is left after purge");
        if (!left.isEmpty()) {
            // Directories shared with other packages (/usr/bin, /lib/systemd/system) stay: dpkg-query
            // fails on any that no package owns any more.
            left.addAll(0, List.of("dpkg-query", "-S"));
            Root.run(left);
        }
        assertFalse(Files.exists(Path.of("/var/lib/jclsync")), "purge removes the (empty) state dir");
        assertFalse(Files.exists(Path.of("/etc/jclsync")), "purge removes the conffile and its dir");
        assertFalse(Files.exists(Path.of("/var/cache/jclsync")), "the archive postinst made is removed");
        assertTrue(run("getent", "passwd", "jclsync").startsWith("jclsync:"),
                "the system user is kept, as Debian does (files may still be owned by it)");
    }
}
