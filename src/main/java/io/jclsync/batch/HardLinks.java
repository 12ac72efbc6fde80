package io.jclsync.batch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The names of files that have more than one hard link in the tree, by inode. A write through one
 * name changes every name, but inotify reports only the name written; {@link BatchBuilder} adds the
 * other names known here to the batch. A name is learnt when a batch holds it with more than one
 * link. link(2) is reported for the new name only (the old name's IN_ATTRIB does not reach a
 * directory watch), so an inode with more links than names known is sought by one walk of the
 * tree ({@link BatchBuilder}). Only multi-link files are kept.
 *
 * <p>Not thread-safe: used by the one thread that builds batches.
 */
final class HardLinks {
    static final int SCAN_BELOW_LIMIT = 1_000;
    private final Map<Object, Set<Path>> names = new HashMap<>();
    private final Map<Path, Object> inodeOf = new HashMap<>();
    /** Inodes with more links than names known here, and none looked for yet. */
    private final Map<Object, Long> sought = new HashMap<>();
    /** Inodes looked for, with the link count they had then: looked for again only if it grows. */
    private final Map<Object, Long> searched = new HashMap<>();

    /**
     * {@code path} is a file with inode {@code key} and {@code links} links.
     *
     * @return the other names known for that inode
     */
    Set<Path> seen(Path path, Object key, long links) {
        Set<Path> others = new HashSet<>();
        Object old = inodeOf.get(path);
        // Another inode at this name now (a file renamed over it): what was written through the
        // old one before it was replaced changed its other names too.
        if (old != null && !old.equals(key)) others.addAll(leave(path));
        else if (old != null && links <= 1) forget(path, old);
        if (links <= 1 || key == null) return others;
        Set<Path> same = names.computeIfAbsent(key, k -> new HashSet<>());
        same.add(path);
        inodeOf.put(path, key);
        if (same.size() < links && searched.getOrDefault(key, 0L) < links) sought.put(key, links);
        others.addAll(same);
        others.remove(path);
        return others;
    }

    /**
     * {@code path} is no longer a file (another type now, or gone). The inode's other names may be
     * elsewhere now: it is looked for again when next written.
     *
     * @return the other names known of its inode: a write through {@code path} before it went
     *         changed them, and no event names them
     */
    Set<Path> gone(Path path) {
        return inodeOf.containsKey(path) ? leave(path) : Set.of();
    }

    /**
     * {@code path} is gone with everything below it (a directory removed or moved away). The names
     * known below it are looked for by a scan of all the names known here, made only while they are
     * at most {@link #SCAN_BELOW_LIMIT}: a tree with more multi-link names than that (snapshot
     * backups) does not pay it for every delete, and a write through a name just before its
     * directory goes is not seen by the other names there.
     *
     * @return the other names, not below {@code path}, known of the inodes of the names below it
     */
    Set<Path> goneBelow(Path path) {
        if (inodeOf.containsKey(path)) return leave(path);
        if (inodeOf.isEmpty() || inodeOf.size() > SCAN_BELOW_LIMIT) return Set.of();
        Set<Path> others = new HashSet<>();
        for (Path p : new ArrayList<>(inodeOf.keySet())) {
            if (p.startsWith(path)) others.addAll(leave(p));
        }
        others.removeIf(p -> p.startsWith(path));
        return others;
    }

    /** Forgets {@code path} as a name of its inode, which is looked for again; returns the inode's other names. */
    private Set<Path> leave(Path path) {
        Object old = inodeOf.get(path);
        forget(path, old);
        searched.remove(old);
        Set<Path> left = names.get(old);
        if (left == null) return Set.of();
        sought.put(old, (long) left.size() + 1);
        return new HashSet<>(left);
    }

    /** Whether some inode has more links than names known (then a walk looks for them). */
    boolean hasUnknownNames() {
        return !sought.isEmpty();
    }

    boolean isSought(Object key) {
        return sought.containsKey(key);
    }

    /** A walk looked for every sought inode: what it did not find is outside the tree (or excluded). */
    void searched() {
        searched.putAll(sought);
        sought.clear();
    }

    private void forget(Path path, Object key) {
        inodeOf.remove(path);
        Set<Path> same = names.get(key);
        if (same == null) return;
        same.remove(path);
        if (same.isEmpty()) {
            names.remove(key);
            searched.remove(key);
            sought.remove(key);
        }
    }

    int size() {
        return inodeOf.size();
    }
}
