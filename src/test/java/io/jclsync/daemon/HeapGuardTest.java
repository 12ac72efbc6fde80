package io.jclsync.daemon;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HeapGuardTest {
    /** The advice raises the limit that ran out, whatever it was: never a fixed -Xmx1g below a 6 GiB default. */
    @Test
    void theAdviceNamesALimitAboveTheOneThatRanOut() {
        assertTrue(HeapGuard.how(8L << 20).contains("JCLSYNC_JAVA_OPTS=\"-XX:+UseSerialGC -Xmx1g\""));
        assertTrue(HeapGuard.how(247L << 20).contains("-Xmx1g\""));
        assertTrue(HeapGuard.how(1L << 30).contains("-Xmx2g\""));
        assertTrue(HeapGuard.how(6L << 30).contains("-Xmx12g\""));
        assertTrue(HeapGuard.how((6L << 30) - (10L << 20)).contains("-Xmx12g\""));
    }
}
