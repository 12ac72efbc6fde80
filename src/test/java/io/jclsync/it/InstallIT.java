package io.jclsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scripts/install into a temp prefix: launcher, jar, man page, bash completion, systemd unit; then --uninstall. */
class InstallIT {
    @TempDir
    Path tmp;

    private static JclsyncProcess.Result sh(Path log, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int code = p.waitFor();
        return new JclsyncProcess.Result(code, Files.readString(log));
    }

    @Test
    void installsEverythingWhereItBelongsAndUninstallsIt() throws Exception {
        Path prefix = tmp.resolve("usr");
        Path units = tmp.resolve("systemd");
        Path log = tmp.resolve("log");
        JclsyncProcess.Result r = sh(log, "scripts/install", "--no-build", "--prefix", prefix.toString(),
                "--unit-dir", units.toString());
        assertEquals(0, r.exitCode(), r.output());

        Path bin = prefix.resolve("bin/jclsync");
        JclsyncProcess.Result version = sh(tmp.resolve("version"), bin.toString(), "--version");
        assertEquals(0, version.exitCode(), version.output());
        assertTrue(version.output().startsWith("jclsync "), version.output());
        // The class-data-sharing archive, made for the installed jar, is read by the launcher.
        Path archive = prefix.resolve("lib/jclsync/jclsync.jsa");
        assertTrue(Files.size(archive) > 0, "scripts/install made " + archive);
        JclsyncProcess.Result shared = sh(tmp.resolve("shared"), "env", "JCLSYNC_JAVA_OPTS=-Xlog:class+load",
                bin.toString(), "--version");
        assertTrue(shared.output().contains("io.jclsync.cli.Main source: shared objects file (top)"), shared.output());
        // A stale archive (here the jar changed under it) is ignored without a word: a slower start, nothing else.
        Files.setLastModifiedTime(prefix.resolve("lib/jclsync/jclsync.jar"), FileTime.fromMillis(0));
        JclsyncProcess.Result stale = sh(tmp.resolve("stale"), bin.toString(), "--version");
        assertEquals(0, stale.exitCode(), stale.output());
        assertEquals(version.output(), stale.output(), "the same output with a stale archive");

        String man = Files.readString(prefix.resolve("share/man/man1/jclsync.1"));
        assertTrue(man.startsWith(".TH JCLSYNC 1"), man);
        for (String option : List.of("\\\\-\\\\-config\\\\-file", "\\\\-\\\\-conflict\\\\-hook", "\\\\-\\\\-delay\\\\-collect")) {
            assertTrue(man.matches("(?s).*" + option + ".*"), "the man page documents " + option);
        }
        Path completion = prefix.resolve("share/bash-completion/completions/jclsync");
        JclsyncProcess.Result complete = sh(tmp.resolve("complete"), "bash", "-c",
                ". " + completion + " && complete -p jclsync");
        assertEquals(0, complete.exitCode(), complete.output());

        Path unit = units.resolve("jclsync@.service");
        String text = Files.readString(unit);
        assertTrue(text.contains("ExecStart=" + bin + " -H /etc/jclsync/jclsync.conf -K %i"), text);
        if (Files.isExecutable(Path.of("/usr/bin/systemd-analyze"))) {
            Path instance = tmp.resolve("jclsync@www.service");
            Files.writeString(instance, text);
            // MANPATH: the unit's Documentation=man:jclsync(1) is checked against the installed man page.
            JclsyncProcess.Result verify = sh(tmp.resolve("verify"), "env", "MANPATH=" + prefix.resolve("share/man"),
                    "systemd-analyze", "verify", instance.toString());
            assertEquals(0, verify.exitCode(), verify.output());
            assertEquals("", verify.output().strip(), "systemd-analyze has no complaint");
            // The same with the drop-in that runs it as the jclsync user (examples/systemd/jclsync-user.conf).
            Path dropIns = Files.createDirectories(tmp.resolve("jclsync@www.service.d"));
            Files.copy(Path.of("examples/systemd/jclsync-user.conf"), dropIns.resolve("user.conf"));
            JclsyncProcess.Result asUser = sh(tmp.resolve("verify-user"), "env", "MANPATH=" + prefix.resolve("share/man"),
                    "systemd-analyze", "verify", instance.toString());
            assertEquals(0, asUser.exitCode(), asUser.output());
            assertEquals("", asUser.output().strip(), "systemd-analyze has no complaint with the drop-in");
            JclsyncProcess.Result security = sh(tmp.resolve("security"), "systemd-analyze", "security", "--offline=true",
                    "--no-pager", instance.toString());
            assertTrue(security.output().contains("User=/DynamicUser=") && !security.output().contains("Service runs as root user"),
                    "the drop-in was read: " + security.output());
        }

        JclsyncProcess.Result removed = sh(log, "scripts/install", "--uninstall", "--prefix", prefix.toString(),
                "--unit-dir", units.toString());
        assertEquals(0, removed.exitCode(), removed.output());
        for (Path p : List.of(bin, prefix.resolve("lib/jclsync"), completion, unit, prefix.resolve("share/man/man1/jclsync.1"))) {
            assertFalse(Files.exists(p), p + " is removed");
        }
    }
}
