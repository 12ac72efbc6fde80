package io.jclsync.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.cluster.wire.WireMessage;
import io.jclsync.state.VersionVector;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import io.jclsync.fs.RelPath;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

class HelloWaitTest {
    private static WireMessage.Batch batch(String origin, long sequence) {
        return new WireMessage.Batch("t", origin, sequence, List.of());
    }

    private static List<Long> sequences(List<WireMessage.Batch> batches) {
        return batches.stream().map(WireMessage.Batch::sequence).toList();
    }

    @Test
    void anOriginHeardOfGoesStraightThrough() {
        HelloWait wait = new HelloWait();
        assertFalse(wait.hold(batch("a", 1), true));
        assertEquals(0, wait.size());
    }

    /** Random arrivals of two origins' batches and hellos: each origin's batches leave in order, once each. */
    @Test
    void eachOriginsBatchesLeaveInOrderAndOnce() {
        for (long seed = 0; seed < 200; seed++) {
            Random random = new Random(seed);
            HelloWait wait = new HelloWait();
            Map<String, List<Long>> applied = new HashMap<>();
            Map<String, Long> next = new HashMap<>();
            Set<String> heard = new HashSet<>();
            for (int step = 0; step < 40; step++) {
                String origin = random.nextBoolean() ? "a" : "b";
                if (!heard.contains(origin) && random.nextInt(8) == 0) {
                    heard.add(origin);
                    for (WireMessage.Batch b : wait.release(origin)) applied.computeIfAbsent(origin, o -> new ArrayList<>()).add(b.sequence());
                } else {
                    long s = next.merge(origin, 1L, Long::sum);
                    if (!wait.hold(batch(origin, s), heard.contains(origin))) {
                        applied.computeIfAbsent(origin, o -> new ArrayList<>()).add(s);
                    }
                }
            }
            for (String origin : List.of("a", "b")) {
                if (!heard.contains(origin)) for (WireMessage.Batch b : wait.release(origin)) applied.computeIfAbsent(origin, o -> new ArrayList<>()).add(b.sequence());
                long sent = next.getOrDefault(origin, 0L);
                assertEquals(LongStream.rangeClosed(1, sent).boxed().toList(), applied.getOrDefault(origin, List.of()),
                        "seed " + seed + ", origin " + origin);
            }
            assertEquals(0, wait.size(), "seed " + seed);
        }
    }

    @Test
    void atMostPerOriginWaitTheOldestDropped() {
        HelloWait wait = new HelloWait();
        for (long s = 1; s <= HelloWait.PER_ORIGIN + 3; s++) assertTrue(wait.hold(batch("silent", s), false));
        assertTrue(wait.hold(batch("other", 1), false));
        assertEquals(HelloWait.PER_ORIGIN + 1, wait.size());
        assertEquals(LongStream.rangeClosed(4, HelloWait.PER_ORIGIN + 3).boxed().toList(), sequences(wait.release("silent")));
    }

    @Test
    void atMostSoManyChangesWaitPerOrigin() {
        HelloWait wait = new HelloWait();
        List<WireMessage.Change> many = Collections.nCopies(HelloWait.CHANGES_PER_ORIGIN / 2,
                new WireMessage.Change(RelPath.of("f".getBytes()), WireMessage.Kind.DELETE, null, null,
                        VersionVector.of("silent", 1)));
        for (long s = 1; s <= 3; s++) wait.hold(new WireMessage.Batch("t", "silent", s, many), false);
        assertEquals(List.of(2L, 3L), sequences(wait.release("silent")), "the oldest dropped");
    }

    @Test
    void whatAnOriginThatLeftHeldIsDropped() {
        HelloWait wait = new HelloWait();
        wait.hold(batch("gone", 1), false);
        wait.hold(batch("stays", 1), false);
        wait.retain(List.of("stays", "me"));
        assertEquals(List.of(), wait.release("gone"));
        assertEquals(List.of(1L), sequences(wait.release("stays")));
        // Held again from scratch if it comes back, and waits for its new hello.
        assertTrue(wait.hold(batch("gone", 1), false));
    }
}
