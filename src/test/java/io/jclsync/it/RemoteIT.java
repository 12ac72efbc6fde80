package io.jclsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
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
        // Three failed attempts, each logged with its time: the waits between them are the backoff's
        // 1 s and 2 s (at least; an attempt itself takes a little), growing.
        List<LocalDateTime> failed = Trees.awaitValue(() -> {
            List<LocalDateTime> at = jclsync.log().lines().filter(l -> l.contains("sync failed (attempt"))
                    .map(l -> LocalDateTime.parse(l.substring(0, 23).replace(' ', 'T'))).toList();
            return at.size() >= 3 ? at : null;
        }, CONVERGE, "three failed attempts", jclsync);
        long first = ChronoUnit.MILLIS.between(failed.get(0), failed.get(1));
        long second = ChronoUnit.MILLIS.between(failed.get(1), failed.get(2));
        assertTrue(first >= 1000 && second >= 2000 && second > first,
                "backoff 1 s, then 2 s, between attempts, not " + first + " ms, " + second + " ms:\n" + jclsync.log());
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
