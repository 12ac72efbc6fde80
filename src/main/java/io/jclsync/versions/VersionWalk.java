package io.jclsync.versions;

import io.jclsync.fs.PathBytes;
import io.jclsync.fs.RelPath;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.nio.charset.StandardCharsets;

/** Walks over the store's directories (never following a symlink): listing, grouping per path, adopting rsync's backups. */
final class VersionWalk {
    private VersionWalk() {}

    /** A store directory that is empty may be removed; the callback removes it and says whether it did. */
    interface EmptyDir {
        boolean remove(Path dir) throws IOException;
    }

    /** Adds every version in {@code top} and below it to {@code out}. */
    static void collect(Path files, Path top, List<Version> out) throws IOException {
        for (List<Version> group : byPath(files, top)) out.addAll(group);
    }

    /** Every path's versions in the store, one list per path. */
    static List<List<Version>> byPath(Path files) throws IOException {
        return byPath(files, files);
    }

    private static List<List<Version>> byPath(Path files, Path top) throws IOException {
        List<List<Version>> out = new ArrayList<>();
        groupDir(files, top, out);
        return out;
    }

    private static void groupDir(Path files, Path dir, List<List<Version>> out) throws IOException {
        Map<String, List<Version>> byName = new LinkedHashMap<>();
        List<Path> subdirs = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    subdirs.add(entry);
                    continue;
                }
                VersionName v = VersionName.decode(PathBytes.of(entry.getFileName()));
                if (v == null) continue;
                List<Version> group = byName.computeIfAbsent(new String(v.name(), StandardCharsets.ISO_8859_1), k -> new ArrayList<>());
                version(files, entry, group);
            }
        } catch (NoSuchFileException gone) {
            return;
        }
        out.addAll(byName.values());
        for (Path sub : subdirs) groupDir(files, sub, out);
    }

    /** Adds the version stored at {@code entry} (a name {@link VersionName} reads) to {@code out}; one gone meanwhile is skipped. */
    static void version(Path files, Path entry, List<Version> out) throws IOException {
        VersionName v = VersionName.decode(PathBytes.of(entry.getFileName()));
        Path parent = files.relativize(entry.getParent());
        byte[] rel = parent.toString().isEmpty() ? v.name() : VersionStore.concat(PathBytes.of(parent), v.name());
        try {
            long size = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).size();
            out.add(new Version(RelPath.of(rel), v.time(), size, entry));
        } catch (NoSuchFileException expiredMeanwhile) {
            // removed by expiry between the listing and now
        }
    }

    /** Removes the empty directories below {@code top} (not {@code top} itself), deepest first. */
    static void removeEmptyDirs(Path top, EmptyDir remover) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(top)) {
            for (Path entry : entries) {
                if (!Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) continue;
                removeEmptyDirs(entry, remover);
                boolean empty;
                try (DirectoryStream<Path> inside = Files.newDirectoryStream(entry)) {
                    empty = !inside.iterator().hasNext();
                }
                if (empty) remover.remove(entry);
            }
        } catch (NoSuchFileException gone) {
            // removed meanwhile
        }
    }

    /** Adopts every file and symlink of one rsync run's backup dir, then removes the run's dir. */
    static int adopt(VersionStore store, Path run) throws IOException {
        Instant time;
        try {
            time = VersionName.parseTime(run.getFileName().toString());
        } catch (DateTimeParseException e) {
            time = Files.getLastModifiedTime(run, LinkOption.NOFOLLOW_LINKS).toInstant();
        }
        int adopted = adoptBelow(store, run, run, time);
        removeEmptyDirs(run, dir -> {
            Files.delete(dir);
            return true;
        });
        Files.delete(run);
        return adopted;
    }

    private static int adoptBelow(VersionStore store, Path run, Path dir, Instant time) throws IOException {
        int adopted = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    adopted += adoptBelow(store, run, entry, time);
                } else {
                    store.adopt(entry, RelPath.of(PathBytes.of(run.relativize(entry))), time);
                    adopted++;
                }
            }
        }
        return adopted;
    }
}
