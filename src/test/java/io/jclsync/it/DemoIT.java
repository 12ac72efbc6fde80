package io.jclsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** README's first command, {@code jclsync demo}: both halves converge and everything stops cleanly. */
class DemoIT {
    @TempDir
    Path tmp;

    @Test
    void theDemoRunsToTheEnd() throws Exception {
        JclsyncProcess.Result r = JclsyncProcess.run(tmp.resolve("demo.log"), Duration.ofMinutes(3), "demo");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("Everything arrived."), r.output());
        assertEquals(4, r.output().split("all three nodes equal after", -1).length - 1, r.output());
        assertTrue(r.output().contains("the three nodes stopped cleanly (exit 0)"), r.output());
        assertFalse(r.output().contains("NOT in sync"), r.output());
    }
}
