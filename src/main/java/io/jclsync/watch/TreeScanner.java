package io.jclsync.watch;

import io.jclsync.filter.Filter;
import io.jclsync.fs.FileType;
import io.jclsync.fs.PathBytes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.logging.Logger;

/**
 * Walks a subtree, adding a watch to each directory before listing it (so nothing created in
 * between is missed) and, when asked, reporting every entry found as created.
 */
final class TreeScanner {
    private static final Logger LOG = Logger.getLogger(TreeScanner.class.getName());

    /** Adds a watch to a directory (relative path); false when it cannot be watched (gone, denied). */
    interface DirectoryWatch {
        boolean watch(Path relDir) throws WatchException;
    }

    private final Path root;
    private final DirectoryWatch watch;

    TreeScanner(Path root, DirectoryWatch watch) {
        this.root = root;
        this.watch = watch;
    }

    /**
     * Watches {@code relDir} and everything below it that the filter walks.
     *
     * @param out where to report found entries as {@link FsEvent.Kind#CREATE}, or null to report nothing
     *            ({@code relDir} itself is never reported)
     */
    void scan(Path relDir, Filter filter, List<FsEvent> out) throws WatchException {
        Path start = root.resolve(relDir);
        try {
            Files.walkFileTree(start, new Visitor(relDir, filter, out));
        } catch (WatchIOException e) {
            throw e.watchException;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private final class Visitor extends SimpleFileVisitor<Path> {
        private final Path relStart;
        private final Filter filter;
        private final List<FsEvent> out;

        Visitor(Path relStart, Filter filter, List<FsEvent> out) {
            this.relStart = relStart;
            this.filter = filter;
            this.out = out;
        }

        private Path rel(Path abs) {
            return root.relativize(abs);
        }

        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
            Path rel = rel(dir);
            boolean start = rel.equals(relStart);
            if (!start && !filter.walks(rel)) return FileVisitResult.SKIP_SUBTREE;
            boolean watched;
            try {
                watched = watch.watch(rel);
            } catch (WatchException e) {
                throw new WatchIOException(e);
            }
            if (!start && out != null) out.add(FsEvent.create(rel, true));
            return watched ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (out == null) return FileVisitResult.CONTINUE;
            Path rel = rel(file);
            if (filter.accepts(rel, FileType.of(attrs))) out.add(FsEvent.create(rel, false));
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
            if (e instanceof AccessDeniedException) {
                LOG.warning("cannot read " + PathBytes.display(file) + ": permission denied; skipped "
                        + "(make it readable by this user to sync it)");
            } else if (!(e instanceof NoSuchFileException)) {
                LOG.warning("cannot read " + PathBytes.display(file) + ": " + e + "; skipped");
            }
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) {
            if (e != null && !(e instanceof NoSuchFileException)) {
                LOG.warning("cannot list " + PathBytes.display(dir) + ": " + e + "; its entries are skipped");
            }
            return FileVisitResult.CONTINUE;
        }
    }

    /** Carries a WatchException through walkFileTree, which only lets IOExceptions out. */
    private static final class WatchIOException extends IOException {
        final WatchException watchException;

        WatchIOException(WatchException e) {
            super(e);
            this.watchException = e;
        }
    }
}
