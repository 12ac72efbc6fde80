package io.jclsync.state;

import static io.jclsync.state.VersionVector.Order.CONCURRENT;
import static io.jclsync.state.VersionVector.Order.EQUAL;
import static io.jclsync.state.VersionVector.Order.NEWER;
import static io.jclsync.state.VersionVector.Order.STALE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import java.util.List;

/**
 * The vector's algebra as properties (jqwik: a failing case is shrunk to a smallest one and its
 * seed replayed first on the next run), then the examples the cluster code relies on. Vectors are
 * drawn over a few keys with small counters, so equal, older, newer and concurrent pairs all occur.
 */
class VersionVectorTest {
    private static final String CONTENT_KEY = "#0123456789abcdef";

    /** Vectors as nodes make them: counters of 1 or more. */
    @Provide
    Arbitrary<VersionVector> vectors() {
        return Arbitraries.maps(keys(), Arbitraries.longs().between(1, 4)).ofMaxSize(5).map(VersionVector::of);
    }

    /** Any counters a peer's message or an index file can hold, zero and negative (uint64 over 2^63) too. */
    @Provide
    Arbitrary<Map<String, Long>> anyCounters() {
        return Arbitraries.maps(keys(), Arbitraries.longs().between(-2, 4)).ofMaxSize(5);
    }

    @Provide
    Arbitrary<String> keys() {
        return Arbitraries.of("n1", "n2", "n3", "node-4", CONTENT_KEY);
    }

    @Property
    void mergeIsCommutative(@ForAll("vectors") VersionVector a, @ForAll("vectors") VersionVector b) {
        assertEquals(a.merge(b), b.merge(a));
    }

    @Property
    void mergeIsAssociative(@ForAll("vectors") VersionVector a, @ForAll("vectors") VersionVector b,
                            @ForAll("vectors") VersionVector c) {
        assertEquals(a.merge(b).merge(c), a.merge(b.merge(c)));
    }

    @Property
    void mergeIsIdempotent(@ForAll("vectors") VersionVector a) {
        assertEquals(a, a.merge(a));
    }

    @Property
    void theMergeCoversBoth(@ForAll("vectors") VersionVector a, @ForAll("vectors") VersionVector b) {
        VersionVector m = a.merge(b);
        assertTrue(m.covers(a) && m.covers(b), m + " covers " + a + " and " + b);
    }

    @Property
    void compareIsAntisymmetric(@ForAll("vectors") VersionVector a, @ForAll("vectors") VersionVector b) {
        VersionVector.Order ab = a.compare(b);
        VersionVector.Order mirror = ab == NEWER ? STALE : ab == STALE ? NEWER : ab;
        assertEquals(mirror, b.compare(a), a + " against " + b);
    }

    @Property
    void equalOrderIffEqualVectors(@ForAll("vectors") VersionVector a, @ForAll("vectors") VersionVector b) {
        assertEquals(a.equals(b), a.compare(b) == EQUAL, a + " against " + b);
        if (a.equals(b)) assertEquals(a.hashCode(), b.hashCode());
    }

    @Property
    void compareAgreesWithCovers(@ForAll("vectors") VersionVector a, @ForAll("vectors") VersionVector b) {
        VersionVector.Order o = a.compare(b);
        assertEquals(o == EQUAL || o == NEWER, a.covers(b), a + " against " + b);
        assertEquals(o == EQUAL || o == STALE, b.covers(a), b + " against " + a);
        assertEquals(o == CONCURRENT, !a.covers(b) && !b.covers(a));
    }

    @Property
    void anIncrementIsStrictlyNewer(@ForAll("vectors") VersionVector a, @ForAll("keys") String key) {
        VersionVector next = a.increment(key);
        assertEquals(NEWER, next.compare(a));
        assertEquals(a.get(key) + 1, next.get(key));
    }

    @Property
    void coversIffTheMergeChangesNothing(@ForAll("vectors") VersionVector a, @ForAll("vectors") VersionVector b) {
        assertEquals(a.covers(b), a.merge(b).equals(a), a + " against " + b);
    }

    /** The rules the vector replaced ({@code Index.compare} and {@code Index.merge} on maps), kept here as the model. */
    @Property
    void compareAndMergeDoWhatTheMapRulesDid(@ForAll("anyCounters") Map<String, Long> local,
                                            @ForAll("anyCounters") Map<String, Long> incoming) {
        boolean incomingAhead = false;
        boolean localAhead = false;
        Set<String> nodes = new HashSet<>(local.keySet());
        nodes.addAll(incoming.keySet());
        for (String n : nodes) {
            long l = local.getOrDefault(n, 0L);
            long i = incoming.getOrDefault(n, 0L);
            if (i > l) incomingAhead = true;
            if (l > i) localAhead = true;
        }
        VersionVector.Order o = VersionVector.of(incoming).compare(VersionVector.of(local));
        assertEquals(incomingAhead && localAhead, o == CONCURRENT);
        assertEquals(incomingAhead && !localAhead, o == NEWER);
        assertEquals(!incomingAhead, VersionVector.of(local).covers(VersionVector.of(incoming)), "was STALE");
        Map<String, Long> merged = new HashMap<>(local);
        incoming.forEach((k, v) -> merged.merge(k, v, Math::max));
        assertEquals(merged, VersionVector.of(local).merge(VersionVector.of(incoming)).asMap());
    }

    @Property
    void theMapComesBackAsGiven(@ForAll("anyCounters") Map<String, Long> counters) {
        VersionVector v = VersionVector.of(counters);
        assertEquals(counters, v.asMap());
        assertEquals(counters.size(), v.size());
        assertEquals(v, VersionVector.of(v.asMap()));
    }

    @Example
    void changesAreOrdered() {
        VersionVector a1 = VersionVector.of("a", 1);
        VersionVector a1b1 = VersionVector.of(Map.of("a", 1L, "b", 1L));
        assertEquals(NEWER, a1.compare(VersionVector.empty()));
        assertEquals(NEWER, a1b1.compare(a1));
        assertEquals(STALE, a1.compare(VersionVector.of("a", 2)));
        assertEquals(EQUAL, a1.compare(VersionVector.of("a", 1)), "the same version again");
        assertEquals(CONCURRENT, a1b1.compare(VersionVector.of("a", 2)));
        assertEquals(VersionVector.of(Map.of("a", 2L, "b", 1L)), VersionVector.of("a", 2).merge(a1b1));
        assertEquals(VersionVector.of("a", 1), VersionVector.empty().increment("a"));
        assertEquals(0, a1.get("b"));
    }

    @Example
    void zeroCountersAreKeptButCountAsMissing() {
        VersionVector zero = VersionVector.of(Map.of("a", 0L));
        assertEquals(EQUAL, zero.compare(VersionVector.empty()));
        assertTrue(zero.covers(VersionVector.empty()) && VersionVector.empty().covers(zero));
        assertFalse(zero.equals(VersionVector.empty()), "as two maps would not be");
        assertFalse(zero.isEmpty());
        assertEquals(Map.of("a", 0L), zero.asMap(), "the codecs write back what they read");
    }

    @Example
    void keysAreListedInOrder() {
        VersionVector v = VersionVector.of(Map.of("n2", 1L, CONTENT_KEY, 1L, "n10", 3L));
        assertEquals("{#0123456789abcdef=1, n10=3, n2=1}", v.toString());
        assertEquals(List.of(CONTENT_KEY, "n10", "n2"), List.copyOf(v.asMap().keySet()));
    }

    @Example
    void nullsAreRefused() {
        Map<String, Long> nullCounter = new HashMap<>();
        nullCounter.put("a", null);
        assertThrows(NullPointerException.class, () -> VersionVector.of(nullCounter));
        Map<String, Long> nullKey = new HashMap<>();
        nullKey.put(null, 1L);
        assertThrows(NullPointerException.class, () -> VersionVector.of(nullKey));
    }
}
