package io.jclsync.cluster;

import io.jclsync.cluster.wire.IndexCodec;
import io.jclsync.cluster.wire.WireException;
import io.jclsync.cluster.wire.WireMessage;
import io.jclsync.fs.RelPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Map;

/**
 * For each path this node has announced or applied since it started: the state it agreed on, the
 * path's version vector (node → number of changes it made to the path) and who wrote it last.
 * Comparing an incoming change's vector with the local one tells a newer change (apply it) from a
 * stale one (ignore it) and from a concurrent one (a conflict: both versions are kept). A path
 * deleted here keeps a tombstone (state null). Saved to {@code STATE_DIR/index} so a restarted
 * node knows what it had agreed on, and can tell what changed while it was down.
 */
final class PathVersions {
    enum Order { NEWER, STALE, CONCURRENT }

    /** @param deletedAtMillis for a tombstone (state null): when it was made; 0 otherwise */
    record Version(WireMessage.EntryState state, Map<String, Long> vector, String writer, long deletedAtMillis) {
        Version {
            vector = Map.copyOf(vector);
        }

        Version(WireMessage.EntryState state, Map<String, Long> vector, String writer) {
            this(state, vector, writer, state == null ? System.currentTimeMillis() : 0);
        }
    }

    private final String self;
    private final long tombstoneTtlMillis;
    private final Map<Path, Version> versions = new HashMap<>();
    private boolean dirty;

    PathVersions(String self) {
        this(self, java.time.Duration.ofDays(30));
    }

    /** @param tombstoneTtl how long a delete is remembered (a node away longer may bring the file back) */
    PathVersions(String self, java.time.Duration tombstoneTtl) {
        this.self = self;
        this.tombstoneTtlMillis = tombstoneTtl.toMillis();
    }

    String self() {
        return self;
    }

    synchronized Version get(Path path) {
        return versions.get(path);
    }

    /** A change made on this node: bumps our counter; returns the vector to announce. */
    synchronized Map<String, Long> localChange(Path path, WireMessage.EntryState state) {
        Version old = versions.get(path);
        Map<String, Long> vv = new HashMap<>(old == null ? Map.of() : old.vector());
        vv.merge(self, 1L, Long::sum);
        versions.put(path, new Version(state, vv, self));
        dirty = true;
        return Map.copyOf(vv);
    }

    /** The state this node has at start (or lists in a full-state announcement): no new version. */
    synchronized Map<String, Long> observed(Path path, WireMessage.EntryState state) {
        Version old = versions.get(path);
        if (old == null) {
            versions.put(path, new Version(state, Map.of(), self));
            dirty = true;
            return Map.of();
        }
        return old.vector();
    }

    /** A peer's change was applied (or merged into a conflict resolution). */
    synchronized void applied(Path path, WireMessage.EntryState state, Map<String, Long> vector, String writer) {
        versions.put(path, new Version(state, vector, writer));
        dirty = true;
    }

    /** A snapshot of every indexed path. */
    synchronized Map<Path, Version> all() {
        return Map.copyOf(versions);
    }

    /** Writes the index if it changed since the last save. */
    void saveIfDirty(Path file) throws IOException {
        List<IndexCodec.Entry> entries = new ArrayList<>();
        synchronized (this) {
            if (!dirty) return;
            dirty = false;
            expireTombstones(System.currentTimeMillis());
            versions.forEach((p, v) -> entries.add(new IndexCodec.Entry(new WireMessage.Change(RelPath.of(p),
                    v.state() == null ? WireMessage.Kind.DELETE : WireMessage.Kind.MODIFY, null, v.state(),
                    v.vector()), v.writer(), v.deletedAtMillis())));
        }
        IndexCodec.write(file, entries);
    }

    /** Loads a saved index; a missing file is an empty index. */
    synchronized void load(Path file) throws IOException, WireException {
        if (!Files.exists(file)) return;
        for (IndexCodec.Entry e : IndexCodec.read(file)) {
            versions.put(e.change().path().toPath(), new Version(e.change().state(), e.change().version(), e.writer(),
                    e.change().state() == null ? e.deletedAtMillis() : 0));
        }
        expireTombstones(System.currentTimeMillis());
    }

    /** Forgets deletes older than the tombstone lifetime. */
    synchronized void expireTombstones(long nowMillis) {
        versions.values().removeIf(v -> v.state() == null && nowMillis - v.deletedAtMillis() > tombstoneTtlMillis);
    }

    static Order compare(Map<String, Long> local, Map<String, Long> incoming) {
        boolean incomingAhead = false;
        boolean localAhead = false;
        java.util.Set<String> nodes = new java.util.HashSet<>(local.keySet());
        nodes.addAll(incoming.keySet());
        for (String n : nodes) {
            long l = local.getOrDefault(n, 0L);
            long i = incoming.getOrDefault(n, 0L);
            if (i > l) incomingAhead = true;
            if (l > i) localAhead = true;
        }
        if (incomingAhead && localAhead) return Order.CONCURRENT;
        return incomingAhead ? Order.NEWER : Order.STALE;
    }

    static Map<String, Long> merge(Map<String, Long> a, Map<String, Long> b) {
        Map<String, Long> out = new HashMap<>(a);
        b.forEach((k, v) -> out.merge(k, v, Math::max));
        return Map.copyOf(out);
    }
}
