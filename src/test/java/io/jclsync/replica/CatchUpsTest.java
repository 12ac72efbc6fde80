package io.jclsync.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jclsync.apply.Counters;
import io.jclsync.cluster.wire.WireMessage;
import io.jclsync.state.Index;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatchUpsTest {
    /**
     * Found by `scripts/bench --scale`: a node joining a 200,000-file tree asked its peer again
     * every refresh while the first answer was still being applied, and was sent the whole index
     * three times (650,150 entries for 220,050, 3.5 GiB of heap). A peer whose answer is moving is
     * busy, and the refresh leaves it alone; one whose answer is done, or stalled, is not.
     */
    @Test
    void aPeerIsBusyWhileItsAnswerIsAppliedAndMoving(@TempDir Path state) {
        CatchUps catchUps = new CatchUps(new Index("n2"), new Counters(state.resolve("counters.json")));
        long minute = TimeUnit.MINUTES.toNanos(1);
        catchUps.applied("n1", new WireMessage.IndexPart("n2", 7L, 100, false), 10_000, 10_000, 1 << 20, true, false);
        assertEquals(Set.of("n1"), catchUps.busy(minute), "the first of its parts is applied");
        assertEquals(Set.of(), catchUps.busy(0), "an answer that has not moved for the time given is not busy");
        catchUps.applied("n1", new WireMessage.IndexPart("n2", 7L, 100, true), 5, 5, 512, true, false);
        assertEquals(Set.of(), catchUps.busy(minute), "its last part is applied");
    }
}
