package io.jclsync.sync;

import io.jclsync.transfer.Outcome;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

class ExitCodePolicyTest {
    @Test
    void defaultsIgnoreVanishedFilesOnly() {
        ExitCodePolicy p = new ExitCodePolicy(ExitCodePolicy.DEFAULT_IGNORED);
        assertEquals(Outcome.OK, p.classify(0));
        assertEquals(Outcome.OK, p.classify(24));
        assertEquals(Outcome.RETRY, p.classify(23));
        assertEquals(Outcome.RETRY, p.classify(10), "a destination that is down is retried");
        assertEquals(Outcome.RETRY, p.classify(30));
        assertEquals(Outcome.FATAL, p.classify(1), "a usage error will not fix itself");
        assertEquals(Outcome.FATAL, p.classify(127));
        assertEquals(Outcome.RETRY, p.classify(77), "unknown codes are retried, not ignored");
    }

    @Test
    void ignoredCodesAreTheUsersChoice() {
        ExitCodePolicy p = new ExitCodePolicy(Set.of(23));
        assertEquals(Outcome.OK, p.classify(23));
        assertEquals(Outcome.RETRY, p.classify(24), "-x replaces the default list");
        assertEquals("partial transfer due to error", ExitCodePolicy.meaning(23));
    }
}
