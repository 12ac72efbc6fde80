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
     * When each watch was last added ({@link #put}; a move keeps it): the kernel gives a directory
     * watched again (moved out of the tree and back, say) its watch descriptor back, so a
     * descriptor alone does not tell that watch from the one it had before.
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

    /** Whether {@code wd} is still the watch added at {@code when} (not removed, nor added again since). */
    boolean sameWatch(int wd, Long when) {
        Long now = addedAt.get(wd);
        return now != null && now.equals(when);
    }

    int size() {
        return dirByWd.size();
    }

    /** The watch descriptors of {@code dir} and every directory below it. */
    List<Integer> subtree(Path dir) {
        List<Integer> wds = new ArrayList<>();
        for (Map.Entry<Path, Integer> e : wdByDir.entrySet()) {
            if (e.getKey().startsWith(dir)) wds.add(e.getValue());
        }
        return wds;
    }

    /** A directory moved inside the tree: every watch at or below {@code from} now lives below {@code to}. */
    void move(Path from, Path to) {
        for (int wd : subtree(from)) {
            Path old = dirByWd.get(wd);
            map(wd, to.resolve(from.relativize(old)));
        }
    }
}
