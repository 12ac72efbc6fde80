package io.jclsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** Three cluster nodes (processes on 127.0.0.2-4) recovering from failures of their parts. */
class ClusterRecoveryIT extends ClusterTestBase {

    @Test
    void aFileWhoseOriginCannotServeItIsPulledFromAnotherNode() throws Exception {
        startCluster();
        awaitQuiet(Duration.ofMillis(700));
        long pulledBefore = counters(2).get("files_pulled");
        byte[] data = new byte[1 << 20];
        ThreadLocalRandom.current().nextBytes(data);
        // n3 is frozen while n1 announces the file and n2 pulls it; then n1's rsync daemon dies.
        nodes.get(2).signal("STOP");
        try {
            Files.createDirectories(trees.get(0).resolve("fallback"));
            Files.write(trees.get(0).resolve("fallback/data.bin"), data);
            Trees.awaitEqual(trees.get(0), trees.get(1), CONVERGE, nodes.get(1));
            long daemon = Long.parseLong(Files.readString(states.get(0).resolve("rsyncd.pid")).strip());
            JclsyncProcess.signal("KILL", daemon);
        } finally {
            nodes.get(2).signal("CONT");
        }
        awaitConverged("n3, whose pull from n1 failed", List.of(0, 1, 2));
        nodes.get(2).awaitLog("file(s) of n1's batch from 127.0.0.3:" + (port + 1) + " instead", CONVERGE);
        nodes.get(2).awaitLog("pulled 1 file(s) from 127.0.0.3", CONVERGE);
        assertEquals(1, counters(2).get("files_pulled") - pulledBefore, "pulled once, from n2");
        // n1 restarts its daemon and serves again.
        nodes.get(0).awaitLog("restarting it in", CONVERGE);
        Files.writeString(trees.get(0).resolve("fallback/after.txt"), "served by n1's new daemon\n");
        awaitConverged("a file written after n1's daemon came back");
        assertEquals(Files.readString(trees.get(0).resolve("fallback/after.txt")),
                Files.readString(trees.get(2).resolve("fallback/after.txt")));
        assertEquals(data.length, Files.size(trees.get(2).resolve("fallback/data.bin")));
    }
}
