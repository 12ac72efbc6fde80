package io.jclsync.state;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A path's version vector: for each node (or content key, see {@link ContentVersion}), how many
 * changes it made to the path. Immutable; the operations return new vectors. A key a vector does
 * not hold counts 0 in {@link #compare} and {@link #covers}.
 *
 * <p>Zero counters are kept as given, not dropped: no node makes one, but a peer's message or an
 * old index file may hold one, and the wire and index codecs hand back exactly the vector they
 * read. So {@code {a=0}} compares {@link Order#EQUAL} to the empty vector, yet is not
 * {@link #equals} to it (as two maps would not be), and is not {@link #isEmpty}.
 *
 * <p>Keys are held sorted, so {@link #toString} and {@link #asMap} list them in the same order
 * on every node.
 */
public final class VersionVector {
    /** How a vector stands against another ({@code a.compare(b)}: how {@code a} stands against {@code b}). */
    public enum Order {
        /** Ahead somewhere and behind nowhere: it descends from the other. */
        NEWER,
        /** Behind somewhere and ahead nowhere: the other descends from it. */
        STALE,
        /** No counter differs. */
        EQUAL,
        /** Each is ahead somewhere: neither descends from the other (a conflict). */
        CONCURRENT
    }

    private static final VersionVector EMPTY = new VersionVector(new String[0], new long[0]);

    /** Sorted, distinct; {@code counts[i]} is the counter of {@code keys[i]}. */
    private final String[] keys;
    private final long[] counts;

    private VersionVector(String[] keys, long[] counts) {
        this.keys = keys;
        this.counts = counts;
    }

    public static VersionVector empty() {
        return EMPTY;
    }

    /** @throws NullPointerException for a null key or counter */
    public static VersionVector of(Map<String, Long> counters) {
        if (counters.isEmpty()) return EMPTY;
        TreeMap<String, Long> sorted = new TreeMap<>(counters);
        String[] k = new String[sorted.size()];
        long[] c = new long[sorted.size()];
        int i = 0;
        for (Map.Entry<String, Long> e : sorted.entrySet()) {
            k[i] = e.getKey();
            c[i++] = e.getValue();
        }
        return new VersionVector(k, c);
    }

    /** The vector {@code {key: count}}. */
    public static VersionVector of(String key, long count) {
        return new VersionVector(new String[] {Objects.requireNonNull(key, "key")}, new long[] {count});
    }

    /** The counter of {@code key}; 0 if this vector does not hold it. */
    public long get(String key) {
        int i = Arrays.binarySearch(keys, key);
        return i >= 0 ? counts[i] : 0;
    }

    /** This vector with one more change by {@code key}. */
    public VersionVector increment(String key) {
        int i = Arrays.binarySearch(keys, Objects.requireNonNull(key, "key"));
        if (i >= 0) {
            long[] c = counts.clone();
            c[i]++;
            return new VersionVector(keys, c);
        }
        int at = -i - 1;
        String[] k = new String[keys.length + 1];
        long[] c = new long[keys.length + 1];
        System.arraycopy(keys, 0, k, 0, at);
        System.arraycopy(counts, 0, c, 0, at);
        k[at] = key;
        c[at] = 1;
        System.arraycopy(keys, at, k, at + 1, keys.length - at);
        System.arraycopy(counts, at, c, at + 1, keys.length - at);
        return new VersionVector(k, c);
    }

    /** Every key of either vector, with the larger of its counters: the version that descends from both. */
    public VersionVector merge(VersionVector other) {
        String[] k = new String[keys.length + other.keys.length];
        long[] c = new long[k.length];
        int[] n = {0};
        pairs(other, (key, mine, theirs, holder) -> {
            k[n[0]] = key;
            c[n[0]++] = holder == BOTH ? Math.max(mine, theirs) : holder == THIS ? mine : theirs;
        });
        if (n[0] == keys.length && Arrays.equals(c, 0, n[0], counts, 0, n[0])) return this;
        return new VersionVector(Arrays.copyOf(k, n[0]), Arrays.copyOf(c, n[0]));
    }

    /** How this vector stands against {@code other}, a key neither holds counting 0. */
    public Order compare(VersionVector other) {
        boolean[] ahead = new boolean[2]; // [0]: this is ahead somewhere, [1]: other is
        pairs(other, (key, mine, theirs, holder) -> {
            if (mine > theirs) ahead[0] = true;
            if (theirs > mine) ahead[1] = true;
        });
        if (ahead[0] && ahead[1]) return Order.CONCURRENT;
        if (ahead[0]) return Order.NEWER;
        return ahead[1] ? Order.STALE : Order.EQUAL;
    }

    /** Whether every counter of {@code other} is at most this vector's: it is {@link Order#EQUAL} or {@link Order#NEWER}. */
    public boolean covers(VersionVector other) {
        Order o = compare(other);
        return o == Order.EQUAL || o == Order.NEWER;
    }

    /** How many keys this vector holds (zero counters included). */
    public int size() {
        return keys.length;
    }

    public boolean isEmpty() {
        return keys.length == 0;
    }

    /** The counters by key, in key order, unmodifiable: for the wire and index codecs and the hook's JSON. */
    public Map<String, Long> asMap() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < keys.length; i++) out.put(keys[i], counts[i]);
        return Collections.unmodifiableMap(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionVector v && Arrays.equals(keys, v.keys) && Arrays.equals(counts, v.counts);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(keys) + Arrays.hashCode(counts);
    }

    /** {@code {a=2, b=1}}, keys sorted (a map's format, so logs read as before). */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < keys.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(keys[i]).append('=').append(counts[i]);
        }
        return sb.append('}').toString();
    }

    private static final int THIS = -1;
    private static final int BOTH = 0;
    private static final int OTHER = 1;

    private interface PairVisitor {
        /**
         * @param mine   this vector's counter of {@code key}, 0 if it does not hold it
         * @param holder {@link #THIS}, {@link #OTHER} or {@link #BOTH}: which vectors hold {@code key}
         */
        void visit(String key, long mine, long theirs, int holder);
    }

    /** Visits every key of this vector and {@code other}, in key order: one walk of both sorted arrays. */
    private void pairs(VersionVector other, PairVisitor visitor) {
        int i = 0;
        int j = 0;
        while (i < keys.length || j < other.keys.length) {
            int cmp = i == keys.length ? 1 : j == other.keys.length ? -1 : keys[i].compareTo(other.keys[j]);
            if (cmp < 0) {
                visitor.visit(keys[i], counts[i++], 0, THIS);
            } else if (cmp > 0) {
                visitor.visit(other.keys[j], 0, other.counts[j++], OTHER);
            } else {
                visitor.visit(keys[i], counts[i++], other.counts[j++], BOTH);
            }
        }
    }
}
