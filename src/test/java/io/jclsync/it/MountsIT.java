package io.jclsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --one-file-system} and {@code --exclude-mount-points} with real mounts inside the watch
 * dir: a tmpfs (another file system) and a bind mount (the same one). Needs root to mount
 * (CI runs as root; elsewhere it is skipped).
 */
class MountsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;
    Path src;
    final List<Path> mounted = new ArrayList<>();
    JclsyncProcess jclsync;

    private static void run(String... cmd) throws IOException, InterruptedException {
        Root.run(List.of(cmd));
    }

    @BeforeEach
    void mounts() throws Exception {
        Root.assume("mounting");
        src = Files.createDirectories(tmp.resolve("src"));
        Files.createDirectories(src.resolve("plain"));
        Files.writeString(src.resolve("plain/x"), "x");
        Path tmpfs = Files.createDirectories(src.resolve("mnt"));
        run("mount", "-t", "tmpfs", "jclsync-test", tmpfs.toString());
        mounted.add(tmpfs);
        Files.writeString(tmpfs.resolve("z"), "on another file system");
        Path other = Files.createDirectories(tmp.resolve("other"));
        Files.writeString(other.resolve("y"), "bind-mounted");
        Path bind = Files.createDirectories(src.resolve("bind"));
        run("mount", "--bind", other.toString(), bind.toString());
        mounted.add(bind);
    }

    @AfterEach
    void unmount() throws Exception {
        if (jclsync != null) jclsync.close();
        for (Path m : mounted) run("umount", m.toString());
    }

    @Test
    void oneFileSystemLeavesOutOtherFileSystemsAndExcludeMountPointsEveryMount() throws Exception {
        Path one = Files.createDirectories(tmp.resolve("one"));
        JclsyncProcess.Result r = JclsyncProcess.run(tmp.resolve("one.log"), WAIT, "-W", src.toString(), "-D",
                one.toString(), "--one-file-system", "--only-initialsync");
        assertEquals(0, r.exitCode(), r.output());
        assertEquals("x", Files.readString(one.resolve("plain/x")));
        assertEquals("bind-mounted", Files.readString(one.resolve("bind/y")), "a bind mount of the same file system stays");
        assertFalse(Files.exists(one.resolve("mnt")), "the tmpfs is left out: " + r.output());
        assertTrue(r.output().contains("leaving out mount point mnt"), r.output());

        Path all = Files.createDirectories(tmp.resolve("all"));
        r = JclsyncProcess.run(tmp.resolve("all.log"), WAIT, "-W", src.toString(), "-D", all.toString(),
                "--exclude-mount-points", "--only-initialsync");
        assertEquals(0, r.exitCode(), r.output());
        assertEquals("x", Files.readString(all.resolve("plain/x")));
        assertFalse(Files.exists(all.resolve("mnt")), r.output());
        assertFalse(Files.exists(all.resolve("bind")), "every mount point is left out: " + r.output());

        // Live: a change on the other file system is not watched; one beside it is synced.
        Path live = Files.createDirectories(tmp.resolve("live"));
        Path status = tmp.resolve("status");
        jclsync = JclsyncProcess.start(tmp.resolve("live.log"), "-W", src.toString(), "-D", live.toString(),
                "--one-file-system", "-t", "0.2", "--status-file", status.toString());
        jclsync.awaitStatus(status, "running", WAIT);
        Files.writeString(src.resolve("mnt/later"), "not synced");
        Files.writeString(src.resolve("plain/later"), "synced");
        Trees.awaitContent(live.resolve("plain/later"), "synced", WAIT, jclsync);
        assertFalse(Files.exists(live.resolve("mnt")), jclsync.log());
    }
}
