package io.jclsync.sync;

import io.jclsync.filter.Filter;
import io.jclsync.fs.FileType;
import io.jclsync.fs.PathBytes;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.logging.Logger;
import java.nio.file.LinkOption;

/**
 * Finds what rsync must be told to leave out when it descends into a directory by itself: entries
 * the rules reject and directories this process cannot read. The rules are regular expressions
 * rsync does not understand, so they are turned into the concrete paths they reject.
 */
final class ExclusionScan {
    private static final Logger LOG = Logger.getLogger(ExclusionScan.class.getName());

    private ExclusionScan() {}

    /** Relative paths to exclude below the given directories (relative; the root is the empty path). */
    static List<Path> scan(Path root, Collection<Path> dirs, Filter filter) throws IOException {
        List<Path> excluded = new ArrayList<>();
        for (Path dir : dirs) {
            Path start = root.resolve(dir);
            if (!Files.isDirectory(start, LinkOption.NOFOLLOW_LINKS)) continue;
            Files.walkFileTree(start, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    Path rel = root.relativize(d);
                    if (d.equals(start) || filter.walks(rel)) return FileVisitResult.CONTINUE;
                    excluded.add(rel);
                    return FileVisitResult.SKIP_SUBTREE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                    Path rel = root.relativize(f);
                    if (!filter.accepts(rel, FileType.of(attrs))) excluded.add(rel);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) {
                    if (e instanceof AccessDeniedException) {
                        LOG.fine(() -> "not syncing unreadable " + PathBytes.display(f));
                        excluded.add(root.relativize(f));
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        return excluded;
    }
}
