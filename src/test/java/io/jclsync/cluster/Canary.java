package io.jclsync.cluster;

import io.jclsync.fs.ContentHash;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A directory beside a node's tree that nothing may touch: a few files, a subdirectory and a
 * symlink with known contents, modes and mtimes. Its listing holds each entry's type, mode, owner,
 * size, mtime, ctime (which any write, chmod or chown moves, even one undone afterwards) and
 * content hash or link target, the directories' own included, so an entry made and removed again
 * shows too.
 */
final class Canary {
    private final Path dir;

    private Canary(Path dir) {
        this.dir = dir;
    }

    static Canary create(Path dir) throws IOException {
        Files.createDirectory(dir);
        write(dir.resolve("secret.txt"), "a file only its owner may read\n", "rw-------");
        write(dir.resolve("run.sh"), "#!/bin/sh\necho not for peers\n", "rwxr-xr-x");
        Files.createDirectory(dir.resolve("sub"));
        write(dir.resolve("sub/notes.txt"), "notes\n", "rw-r-----");
        Files.createSymbolicLink(dir.resolve("link"), Path.of("secret.txt"));
        Files.setPosixFilePermissions(dir.resolve("sub"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.setLastModifiedTime(dir.resolve("sub"), FileTime.from(Instant.parse("2001-02-03T04:05:06.123456789Z")));
        Files.setLastModifiedTime(dir, FileTime.from(Instant.parse("2001-02-03T04:05:07Z")));
        return new Canary(dir);
    }

    private static void write(Path file, String content, String mode) throws IOException {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2001-02-03T04:05:06.987654321Z")));
    }

    Path dir() {
        return dir;
    }

    /** Every entry, the dir itself as ".": what it is, as one line. */
    Map<String, String> listing() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> entries = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                String rel = dir.relativize(p).toString();
                out.put(rel.isEmpty() ? "." : rel, describe(p));
            }
        }
        return out;
    }

    private static String describe(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size,lastModifiedTime,ctime",
                LinkOption.NOFOLLOW_LINKS);
        String content = Files.isSymbolicLink(p) ? "-> " + Files.readSymbolicLink(p)
                : Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? HexFormat.of().formatHex(ContentHash.sha256(p))
                : "";
        return String.format("mode %o uid %s gid %s size %s mtime %s ctime %s %s", a.get("mode"), a.get("uid"),
                a.get("gid"), a.get("size"), a.get("lastModifiedTime"), a.get("ctime"), content);
    }

    /** What differs from {@code before}, one line an entry (empty: nothing). */
    List<String> changesSince(Map<String, String> before) throws IOException {
        Map<String, String> now = listing();
        List<String> changes = new ArrayList<>();
        for (Map.Entry<String, String> e : before.entrySet()) {
            String after = now.remove(e.getKey());
            if (after == null) changes.add("gone: " + e.getKey());
            else if (!after.equals(e.getValue())) {
                changes.add("changed: " + e.getKey() + " was " + e.getValue() + ", is " + after);
            }
        }
        now.forEach((path, what) -> changes.add("new: " + path + " " + what));
        return changes;
    }
}
