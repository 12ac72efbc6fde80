package io.jclsync.batch;

import io.jclsync.fs.FileType;
import io.jclsync.fs.PathBytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import io.jclsync.filter.Filter;
import java.util.logging.Logger;
import java.nio.file.FileVisitResult;
import java.nio.file.NoSuchFileException;
import java.nio.file.SimpleFileVisitor;

/**
 * Turns a {@link Snapshot} into a {@link Batch} by looking at the tree as it is now: each path is
 * lstat'ed once, special files are dropped with a log line, big files are handed back to wait on
 * their own timer, and paths below a directory that is synced whole are left out.
 */
public final class BatchBuilder {
    private static final Logger LOG = Logger.getLogger(BatchBuilder.class.getName());

    /** The batch to run now, and the big files to defer. */
    public record Result(Batch batch, List<Batch.Entry> deferred) {}

    private final Path root;
    private final Delays delays;
    private final Supplier<Filter> filter;
    private final HardLinks links = new HardLinks();

    /** @param filter the rules: a hard link's other names are synced only if they let them in */
    public BatchBuilder(Path root, Delays delays, Supplier<Filter> filter) {
        this.root = root;
        this.delays = delays;
        this.filter = filter;
    }

    public Result build(Snapshot snapshot) {
        if (snapshot.full()) return new Result(Batch.fullSync(), List.of());
        List<Batch.Entry> entries = new ArrayList<>();
        List<Batch.Entry> deferred = new ArrayList<>();
        boolean deferBig = delays.bigfileCollect().compareTo(delays.collect()) > 0;
        Set<Path> linked = new HashSet<>();
        for (Map.Entry<Path, ChangeKind> c : snapshot.changes().entrySet()) {
            Batch.Entry e = entry(c.getKey(), c.getValue(), linked);
            if (e == null) continue;
            boolean big = e.type() == FileType.FILE && e.size() >= delays.bigfileThreshold();
            if (big && deferBig && !snapshot.matured().contains(e.path())) {
                deferred.add(e);
            } else {
                entries.add(e);
            }
        }
        for (Path dir : snapshot.folded()) {
            if (snapshot.changes().containsKey(dir)) continue;
            Batch.Entry e = entry(dir, ChangeKind.MODIFY, linked);
            if (e != null) entries.add(e);
        }
        // Other names of a file written through one of its hard links: no event names them. A
        // name known but gone (its directory renamed) makes the inode sought again: a second round.
        Set<Path> added = new HashSet<>(snapshot.changes().keySet());
        for (int round = 0; round < 2; round++) {
            if (links.hasUnknownNames()) findUnknownNames(linked);
            linked.removeAll(added);
            if (linked.isEmpty()) break;
            LOG.fine("other names of files written through a hard link: " + linked);
            Set<Path> more = new HashSet<>();
            for (Path other : linked) {
                added.add(other);
                Batch.Entry e = entry(other, ChangeKind.MODIFY, more);
                if (e != null) entries.add(e);
            }
            linked.clear();
            linked.addAll(more);
        }
        List<Batch.Rename> renames = new ArrayList<>();
        for (Batch.Rename r : snapshot.renames()) {
            if (exists(r.to())) renames.add(r);
        }
        return new Result(new Batch(renames, prune(entries), false), deferred);
    }

    /** Sorted, without entries below a directory entry (that one is synced or deleted whole). */
    static List<Batch.Entry> prune(List<Batch.Entry> entries) {
        Set<Path> dirs = new HashSet<>();
        for (Batch.Entry e : entries) {
            if (e.isDirectory() || !e.exists()) dirs.add(e.path());
        }
        List<Batch.Entry> kept = new ArrayList<>();
        for (Batch.Entry e : entries) {
            if (!hasAncestorIn(e.path(), dirs)) kept.add(e);
        }
        kept.sort(Comparator.comparing(Batch.Entry::path));
        return kept;
    }

    private static boolean hasAncestorIn(Path path, Set<Path> dirs) {
        for (Path p = path.getParent(); p != null; p = p.getParent()) {
            if (dirs.contains(p)) return true;
        }
        return false;
    }

    /**
     * The entry as the tree has it now; null to leave the path out of this batch.
     *
     * @param linked where to add the other known names of a file with several hard links
     */
    private Batch.Entry entry(Path rel, ChangeKind kind, Set<Path> linked) {
        Optional<BasicFileAttributes> attrs;
        try {
            attrs = FileType.lstat(root.resolve(rel));
            if (attrs.isPresent() && attrs.get().isRegularFile()) {
                linked.addAll(links.seen(rel, attrs.get().fileKey(), linkCount(root.resolve(rel))));
            } else if (attrs.isPresent()) {
                linked.addAll(links.gone(rel));
            } else {
                linked.addAll(links.goneBelow(rel));
            }
        } catch (NoSuchFileException e) {
            linked.addAll(links.goneBelow(rel));
            attrs = Optional.empty();
        } catch (IOException e) {
            // Not knowing is not the same as gone: never turn an unreadable path into a delete.
            LOG.warning("cannot stat " + PathBytes.display(root.resolve(rel)) + ": " + e + "; not syncing it now");
            return null;
        }
        if (attrs.isEmpty()) return new Batch.Entry(rel, kind, null, 0);
        FileType type = FileType.of(attrs.get());
        if (type == FileType.SPECIAL) {
            LOG.info("skipping " + PathBytes.display(rel) + ": sockets, FIFOs and devices are not synced");
            return null;
        }
        return new Batch.Entry(rel, kind, type, type == FileType.FILE ? attrs.get().size() : 0);
    }

    /**
     * Walks the tree once for the names of files whose link count is more than the names known
     * (link(2) reports only the new name: the old one's IN_ATTRIB does not reach a directory watch).
     * Costs a walk of the tree per batch that makes new links; trees where links are made all the
     * time (snapshot backups) are better synced with other rules.
     */
    private void findUnknownNames(Set<Path> linked) {
        long started = System.nanoTime();
        Filter f = filter.get();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    Path rel = root.relativize(dir);
                    return rel.toString().isEmpty() || f.walks(rel) ? FileVisitResult.CONTINUE
                            : FileVisitResult.SKIP_SUBTREE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Path rel = root.relativize(file);
                    if (attrs.isRegularFile() && links.isSought(attrs.fileKey()) && f.accepts(rel, FileType.FILE)) {
                        linked.addAll(links.seen(rel, attrs.fileKey(), linkCount(file)));
                        linked.add(rel);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.warning("cannot walk " + root + " for the other names of hard-linked files: " + e);
        }
        links.searched();
        LOG.fine(() -> "walked the tree for the other names of hard-linked files in "
                + (System.nanoTime() - started) / 1_000_000 + " ms");
    }

    private static long linkCount(Path file) throws IOException {
        return ((Number) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS)).longValue();
    }

    private boolean exists(Path rel) {
        try {
            return FileType.lstat(root.resolve(rel)).isPresent();
        } catch (IOException e) {
            return false;
        }
    }
}
