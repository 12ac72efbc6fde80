package io.jclsync.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.cluster.wire.WireMessage;
import io.jclsync.state.IndexLog;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CatchUpAnswersTest {
    private static WireMessage.CatchUpRequest request(String requester, long position) {
        return new WireMessage.CatchUpRequest("00", requester, Map.of("n1", new IndexLog.Position(1, position)));
    }

    @Test
    void aFloodOfRequestsIsOneAnswerPerIntervalWithTheNewestPositions() throws Exception {
        CatchUpAnswers answers = new CatchUpAnswers(TimeUnit.MILLISECONDS.toNanos(300));
        assertTrue(answers.offer(request("n2", 1)), "the first request is scheduled");
        for (int i = 2; i <= 1000; i++) assertFalse(answers.offer(request("n2", i)), "later ones replace it");
        assertTrue(answers.offer(request("n3", 1)), "another requester is scheduled on its own");
        assertEquals(999, answers.replaced());
        assertEquals(1000, answers.take("n2").since().get("n1").sequence());
        assertTrue(answers.offer(request("n2", 1001)));
        long start = System.nanoTime();
        assertEquals(1001, answers.take("n2").since().get("n1").sequence());
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(250), "the second answer waits out the interval");
        assertEquals(1, answers.take("n3").since().get("n1").sequence());
    }
}
