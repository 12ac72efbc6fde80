package io.jclsync.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ProcessRunnerTest {
    /** A pull that fails on a full disk says so, not only rsync's summary line. */
    @Test
    void theReasonNamesRsyncsFirstErrorAndItsSummary() {
        String out = """
                receiving incremental file list
                rsync: [receiver] write failed on "/proc/1/fd/9/big": No space left on device (28)
                rsync error: error in file IO (code 11) at receiver.c(401) [receiver=3.2.7]
                """;
        assertEquals("rsync: [receiver] write failed on \"/proc/1/fd/9/big\": No space left on device (28)"
                        + " / rsync error: error in file IO (code 11) at receiver.c(401) [receiver=3.2.7]",
                new ProcessRunner.Result(11, false, out).reason());
        assertEquals("only line", new ProcessRunner.Result(1, false, "only line\n").reason());
        assertEquals("", new ProcessRunner.Result(1, false, "").reason());
    }
}
