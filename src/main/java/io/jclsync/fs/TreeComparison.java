package io.jclsync.fs;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compares two trees entry by entry: type, permissions, file size, mtime and content, symlink
 * targets. Used by {@code jclsync demo} to show that a target has caught up.
 */
public final class TreeComparison {
    private TreeComparison() {}

    /** Human-readable differences (at most {@code limit}), empty when the trees are equal. */
    public static List<String> differences(Path a, Path b, int limit) throws IOException {
        Map<Path, PosixFileAttributes> left = list(a);
        Map<Path, PosixFileAttributes> right = list(b);
        List<String> diffs = new ArrayList<>();
        for (Map.Entry<Path, PosixFileAttributes> e : left.entrySet()) {
            if (diffs.size() >= limit) return diffs;
            Path rel = e.getKey();
            PosixFileAttributes other = right.remove(rel);
            String name = PathBytes.display(rel);
            if (other == null) {
                diffs.add("missing: " + name);
                continue;
            }
            PosixFileAttributes mine = e.getValue();
            try {
                compare(a, b, rel, name, mine, other, diffs);
            } catch (NoSuchFileException gone) {
                diffs.add("changing: " + name);
            }
        }
        for (Path extra : right.keySet()) {
            if (diffs.size() >= limit) break;
            diffs.add("extra: " + PathBytes.display(extra));
        }
        return diffs;
    }

    private static void compare(Path a, Path b, Path rel, String name, PosixFileAttributes mine,
                                PosixFileAttributes other, List<String> diffs) throws IOException {
        if (FileType.of(mine) != FileType.of(other)) {
            diffs.add("type differs: " + name);
        } else if (mine.isSymbolicLink()) {
            if (!Files.readSymbolicLink(a.resolve(rel)).equals(Files.readSymbolicLink(b.resolve(rel)))) {
                diffs.add("link target differs: " + name);
            }
        } else if (!mine.permissions().equals(other.permissions())) {
            diffs.add("mode differs: " + name);
        } else if (mine.isRegularFile()) {
            if (mine.size() != other.size()) diffs.add("size differs: " + name);
            else if (!mine.lastModifiedTime().equals(other.lastModifiedTime())) diffs.add("mtime differs: " + name);
            else if (!Arrays.equals(ContentHash.sha256(a.resolve(rel)), ContentHash.sha256(b.resolve(rel)))) diffs.add("content differs: " + name);
        }
    }

    /** Every entry below {@code root}; one that vanishes during the walk (a temp file) is left out. */
    private static Map<Path, PosixFileAttributes> list(Path root) throws IOException {
        Map<Path, PosixFileAttributes> entries = new TreeMap<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(root)) add(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                add(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) return FileVisitResult.CONTINUE;
                throw e;
            }

            private void add(Path p) throws IOException {
                try {
                    entries.put(root.relativize(p),
                            Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
                } catch (NoSuchFileException e) {
                    // vanished since it was listed
                }
            }
        });
        return entries;
    }
}
