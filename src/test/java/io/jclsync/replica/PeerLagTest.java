package io.jclsync.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

class PeerLagTest {
    @Test
    void aPeerIsBehindByTheLiveBatchesSentSinceItJoinedThatItHasNotApplied() {
        PeerLag lag = new PeerLag();
        lag.sent(1, 10);
        lag.joined("n2");
        lag.sent(2, 5);
        lag.sent(4, 7); // 3 was a catch-up answer: never counted
        lag.joined("n3");
        PeerLag.Lag n2 = lag.lag().get("n2");
        assertEquals(2, n2.batches(), "what came before it joined reaches it by catch-up");
        assertEquals(12, n2.changes());
        assertEquals(0, lag.lag().get("n3").batches());
        lag.applied("n2", 2);
        assertEquals(1, lag.lag().get("n2").batches());
        assertEquals(7, lag.lag().get("n2").changes());
        lag.applied("n2", 99);
        assertEquals(1, lag.lag().get("n2").batches(), "a report beyond our sequences is from our previous run");
        lag.applied("n2", 4);
        assertEquals(new PeerLag.Lag(0, 0, 0), lag.lag().get("n2"));
        lag.applied("n4", 4);
        assertFalse(lag.lag().containsKey("n4"), "only peers in view");
        lag.left("n3");
        assertFalse(lag.lag().containsKey("n3"));
    }
}
