package io.jclsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An rsync:// destination served by a real rsync daemon on 127.0.0.2, which starts late. */
class RemoteIT extends OneWayTestBase {
    private static final Duration CONVERGE = Duration.ofSeconds(40);

    int port;
    Process daemon;

    @BeforeEach
    void pickPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
    }

    @AfterEach
    void stopDaemon() throws Exception {
        if (daemon != null) {
            daemon.destroy();
            daemon.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private void startDaemon() throws Exception {
        Path conf = tmp.resolve("rsyncd.conf");
        Files.writeString(conf, String.join("\n",
                "use chroot = no", "uid = root", "gid = root", "pid file = " + tmp.resolve("rsyncd.pid"),
                "[dst]", "path = " + dst, "read only = no", ""));
        daemon = new ProcessBuilder("rsync", "--daemon", "--no-detach", "--config=" + conf, "--address=127.0.0.2",
                "--port=" + port, "--log-file=" + tmp.resolve("rsyncd.log"))
                .redirectErrorStream(true).redirectOutput(tmp.resolve("rsyncd.out").toFile()).start();
    }

    @Test
    void aDestinationThatIsDownGetsBackoffThenEverythingArrives() throws Exception {
        for (int i = 0; i < 50; i++) Files.writeString(Files.createDirectories(src.resolve("d" + i % 5)).resolve("f" + i), "v" + i);
        jclsync = JclsyncProcess.start(tmp.resolve("log"), "-W", src.toString(), "-D",
                "rsync://127.0.0.2:" + port + "/dst/", "-t", "0.2", "-r", "20", "--status-file",
                tmp.resolve("status").toString());
        jclsync.awaitLog("retrying in", CONVERGE);
        Thread.sleep(3500);
        long attempts = jclsync.log().lines().filter(l -> l.contains("sync failed (attempt")).count();
        assertTrue(attempts >= 2 && attempts <= 4, "backoff 1 s, 2 s, 4 s... gives 2-4 attempts in ~4 s, not "
                + attempts + ":\n" + jclsync.log());
        assertTrue(jclsync.log().contains("socket"), "rsync's reason is reported:\n" + jclsync.log());

        startDaemon();
        Trees.awaitEqual(src, dst, CONVERGE, jclsync);

        Files.move(src.resolve("d1"), src.resolve("d1-renamed"));
        SyncIT.deleteTree(src.resolve("d2"));
        Files.delete(src.resolve("d3/f3"));
        Files.writeString(src.resolve("d4/f4"), "changed");
        Trees.awaitEqual(src, dst, CONVERGE, jclsync);
        assertFalse(Files.exists(dst.resolve("d1")));
        assertEquals("changed", Files.readString(dst.resolve("d4/f4")));
        assertEquals(0, jclsync.terminate(CONVERGE));
    }
}
