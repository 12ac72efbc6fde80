package io.jclsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import java.util.List;

/**
 * Signals, the pid file, the sync timeout, --exit-on-no-events and clsync's run-control options
 * (standby file, max iterations, exit hooks, sync on quit), on a running jclsync process.
 */
class SignalsIT extends OneWayTestBase {

    private void signal(String name) throws Exception {
        jclsync.signal(name);
    }

    private static void awaitFile(Path file, String content, JclsyncProcess p) throws Exception {
        Trees.awaitContent(file, content, CONVERGE, p);
    }

    @Test
    void sighupReloadsRulesAndWatchesDirectoriesTheyNowLetIn() throws Exception {
        Path rules = tmp.resolve("rules");
        Files.writeString(rules, "-d^private$\n");
        Files.createDirectories(src.resolve("private"));
        Files.writeString(src.resolve("private/a"), "a");
        Path pid = tmp.resolve("pid");
        jclsync = JclsyncProcess.start(tmp.resolve("log"), "-W", src.toString(), "-D", dst.toString(), "-t", "0.2",
                "-R", rules.toString(), "--status-file", status.toString(), "--pid-file", pid.toString());
        jclsync.awaitStatus(status, "running", CONVERGE);
        assertEquals(Long.toString(jclsync.pid()), Files.readString(pid).strip());
        assertFalse(Files.exists(dst.resolve("private")));

        Files.writeString(rules, "-f\\.log$\n");
        signal("HUP");
        awaitFile(dst.resolve("private/a"), "a", jclsync);
        // The newly included directory is watched: a change inside it arrives on its own.
        Files.writeString(src.resolve("private/b"), "b");
        Files.writeString(src.resolve("private/skip.log"), "x");
        awaitFile(dst.resolve("private/b"), "b", jclsync);
        assertFalse(Files.exists(dst.resolve("private/skip.log")));

        Files.writeString(rules, "+q bad rule\n");
        signal("HUP");
        jclsync.awaitLog("keeping the previous rules", CONVERGE);
        assertTrue(jclsync.isAlive());
        assertEquals(0, jclsync.terminate(CONVERGE));
        assertFalse(Files.exists(pid), "the pid file is removed on a clean stop");
    }

    @Test
    void sigusr1RepairsDriftInTheTarget() throws Exception {
        Files.writeString(src.resolve("f"), "source");
        jclsync = JclsyncProcess.start(tmp.resolve("log"), "-W", src.toString(), "-D", dst.toString(), "-t", "0.2",
                "--status-file", status.toString());
        jclsync.awaitStatus(status, "running", CONVERGE);
        Files.writeString(dst.resolve("f"), "edited behind jclsync's back");
        Files.writeString(dst.resolve("stray"), "x");
        signal("USR1");
        Trees.awaitEqual(src, dst, CONVERGE, jclsync);
    }

    @Test
    void aHungRsyncIsKilledAfterTheTimeoutAndRetried() throws Exception {
        Path slow = tmp.resolve("slow-rsync");
        Path marker = tmp.resolve("calls");
        Files.writeString(slow, "#!/bin/sh\necho call >> " + marker + "\n"
                + "[ \"$(wc -l < " + marker + ")\" -ge 2 ] || exec sleep 600\nexec rsync \"$@\"\n");
        Files.setPosixFilePermissions(slow, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(src.resolve("f"), "x");
        jclsync = JclsyncProcess.start(tmp.resolve("log"), "-W", src.toString(), "-D", dst.toString(),
                "-S", slow.toString(), "-k", "1", "--status-file", status.toString());
        String killed = "killed after the 1 s timeout (-k)";
        jclsync.awaitLog(killed, CONVERGE);
        jclsync.awaitStatus(status, "running", CONVERGE); // the initial sync is over, its retries included
        Trees.awaitEqual(src, dst, CONVERGE, jclsync);
        // The first call hangs and is killed, the retry runs rsync: two calls. On a loaded machine that
        // rsync may take over 1 s too, and be killed and retried in turn: every call but the last was
        // killed, each logged once.
        String log = jclsync.log();
        long kills = log.lines().filter(l -> l.contains(killed)).count();
        assertEquals(kills + 1, Files.readAllLines(marker).size(), "every call but the last killed after the timeout:\n" + log);
    }

    @Test
    void exitOnNoEventsStopsAfterTheInitialSync() throws Exception {
        Files.writeString(src.resolve("f"), "x");
        JclsyncProcess.Result r = JclsyncProcess.run(tmp.resolve("log"), CONVERGE, "-W", src.toString(), "-D",
                dst.toString(), "--exit-on-no-events");
        assertEquals(0, r.exitCode(), r.output());
        Trees.awaitEqual(src, dst, Duration.ZERO, null);
    }

    private Path recorder(String name, Path out) throws IOException {
        Path hook = tmp.resolve(name);
        Files.writeString(hook, "#!/bin/sh\necho \"" + name + " $* $JCLSYNC_EXIT_CODE\" >> " + out + "\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwx------"));
        return hook;
    }

    @Test
    void standbyFilePausesSyncingUntilItIsGone() throws Exception {
        Path standby = tmp.resolve("standby");
        Files.writeString(standby, "");
        jclsync = JclsyncProcess.start(tmp.resolve("log"), "-W", src.toString(), "-D", dst.toString(), "-t", "0.2",
                "--standby-file", standby.toString(), "--status-file", status.toString());
        jclsync.awaitStatus(status, "running", CONVERGE);
        Files.writeString(src.resolve("during-standby"), "waits");
        jclsync.awaitLog("syncing paused", CONVERGE);
        assertFalse(Files.exists(dst.resolve("during-standby")), "nothing synced while the standby file exists");
        Files.delete(standby);
        awaitFile(dst.resolve("during-standby"), "waits", jclsync);
        jclsync.awaitLog("standby over", CONVERGE);
    }

    @Test
    void maxIterationsExitsAfterThatManySyncsAndHooksRunInOrder() throws Exception {
        Path calls = tmp.resolve("calls");
        jclsync = JclsyncProcess.start(tmp.resolve("log"), "-W", src.toString(), "-D", dst.toString(), "-t", "0.2",
                "--max-iterations", "2", "-l", "job", "--status-file", status.toString(),
                "--pre-exit-hook", recorder("pre-exit", calls).toString(), "--exit-hook", recorder("exit", calls).toString());
        jclsync.awaitStatus(status, "running", CONVERGE);
        Files.writeString(src.resolve("one"), "1");
        awaitFile(dst.resolve("one"), "1", jclsync);
        assertTrue(jclsync.isAlive(), "one sync: still running");
        Files.writeString(src.resolve("two"), "2");
        assertEquals(0, jclsync.waitFor(CONVERGE), "exits on its own after the second sync: " + jclsync.log());
        assertEquals("2", Files.readString(dst.resolve("two")));
        assertEquals(List.of("pre-exit job " + src + " 0 0", "exit job " + src + " 0 0"), Files.readAllLines(calls),
                "the pre-exit hook, then the exit hook, each with label, watch dir and exit code");
    }

    @Test
    void syncOnQuitSendsWhatIsQueuedBeforeExiting() throws Exception {
        jclsync = JclsyncProcess.start(tmp.resolve("log"), "-W", src.toString(), "-D", dst.toString(), "-t", "60",
                "--sync-on-quit", "--status-file", status.toString(), "-vv");
        jclsync.awaitStatus(status, "running", CONVERGE);
        Files.writeString(src.resolve("queued"), "would wait a minute");
        jclsync.awaitLog("path=queued", CONVERGE); // -vv logs each event as it is collected
        assertEquals(0, jclsync.terminate(CONVERGE), jclsync.log());
        assertEquals("would wait a minute", Files.readString(dst.resolve("queued")), jclsync.log());
    }
}
