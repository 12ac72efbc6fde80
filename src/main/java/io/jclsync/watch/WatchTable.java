package io.jclsync.watch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Watch descriptors and the directories (relative to the watch dir) they stand for.
 * Not thread-safe: only the watcher's reader thread touches it once watching has started.
 */
final class WatchTable {
    private final Map<Integer, Path> dirByWd = new HashMap<>();
    private final Map<Path, Integer> wdByDir = new HashMap<>();
    /**
     * When each watch was last seen in the tree: added ({@link #put}), or found at its place in it
     * by the kernel ({@link #seen}). The kernel gives a directory watched again (moved out of the
     * tree and back, say) its watch descriptor back, so a descriptor alone does not tell that watch
     * from the one it had when its directory left; a directory that left and is back, renamed
     * since, is in the tree although no scan found it at its old name (watch history seed 17). A
     * move in the table is no such proof: a directory that left the tree, whose parent was renamed
     * before that was read, moves with the parent's entries.
     */
    private final Map<Integer, Long> addedAt = new HashMap<>();
    private long added;

    /** A watch was added for {@code dir} (or added again: the same inode's descriptor). */
    void put(int wd, Path dir) {
        map(wd, dir);
        addedAt.put(wd, ++added);
    }

    private void map(int wd, Path dir) {
        Path old = dirByWd.put(wd, dir);
        if (old != null && !old.equals(dir)) wdByDir.remove(old);
        Integer oldWd = wdByDir.put(dir, wd);
        if (oldWd != null && oldWd != wd) {
            dirByWd.remove(oldWd);
            addedAt.remove(oldWd);
        }
    }

    Path dir(int wd) {
        return dirByWd.get(wd);
    }

    Integer wd(Path dir) {
        return wdByDir.get(dir);
    }

    void remove(int wd) {
        Path dir = dirByWd.remove(wd);
        if (dir != null) wdByDir.remove(dir, wd);
        addedAt.remove(wd);
    }

    /** The watches of {@code dir} and every directory below it, each with when it was added. */
    Map<Integer, Long> watchesAt(Path dir) {
        Map<Integer, Long> out = new HashMap<>();
        for (int wd : subtree(dir)) out.put(wd, addedAt.get(wd));
        return out;
    }

    /** Whether {@code wd} is still the watch seen at {@code when} (not removed, added again or moved since). */
    boolean sameWatch(int wd, Long when) {
        Long now = addedAt.get(wd);
        return now != null && now.equals(when);
    }

    int size() {
        return dirByWd.size();
    }

    /** The directories at and below {@code dir} with their watch descriptors. */
    Map<Path, Integer> entriesAt(Path dir) {
        Map<Path, Integer> out = new HashMap<>();
        for (Map.Entry<Path, Integer> e : wdByDir.entrySet()) {
            if (e.getKey().startsWith(dir)) out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    /** The watch descriptors of {@code dir} and every directory below it. */
    List<Integer> subtree(Path dir) {
        List<Integer> wds = new ArrayList<>();
        for (Map.Entry<Path, Integer> e : wdByDir.entrySet()) {
            if (e.getKey().startsWith(dir)) wds.add(e.getValue());
        }
        return wds;
    }

    /** Watch {@code wd} is seen in the tree now (see {@link #addedAt}). */
    void seen(int wd) {
        if (dirByWd.containsKey(wd)) addedAt.put(wd, ++added);
    }

    /** A directory moved inside the tree: every watch at or below {@code from} now lives below {@code to}. */
    void move(Path from, Path to) {
        // All taken out first: a watch put at its new name may displace one not moved yet (a stale
        // entry at that name), which would then be lost (watch history seed 1088).
        Map<Path, Integer> moving = entriesAt(from);
        for (Map.Entry<Path, Integer> e : moving.entrySet()) {
            wdByDir.remove(e.getKey());
            dirByWd.remove(e.getValue());
        }
        for (Map.Entry<Path, Integer> e : moving.entrySet()) {
            Long stamp = addedAt.get(e.getValue());
            map(e.getValue(), to.resolve(from.relativize(e.getKey())));
            if (stamp != null) addedAt.put(e.getValue(), stamp);
        }
    }
}
