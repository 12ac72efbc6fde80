package io.jclsync.process;

import io.jclsync.fs.PathBytes;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.io.UncheckedIOException;

/**
 * Writes the files rsync reads with {@code --from0}: raw path bytes, each followed by a NUL, so
 * names with spaces, newlines or bytes that are not UTF-8 pass unchanged.
 */
public final class ListFile {
    private ListFile() {}

    /** One relative path per record: the {@code --files-from} format. */
    public static void writePaths(Path file, Collection<Path> paths) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            writePaths(out, paths);
        }
    }

    /** The same, as bytes (for a program's standard input: {@code --files-from=-}). */
    public static byte[] paths(Collection<Path> paths) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writePaths(out, paths);
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
        return out.toByteArray();
    }

    /** The same, to a stream the caller opened (and closes). */
    public static void writePaths(OutputStream stream, Collection<Path> paths) throws IOException {
        OutputStream out = new BufferedOutputStream(stream, 1 << 16);
        for (Path p : paths) {
            out.write(PathBytes.of(p));
            out.write(0);
        }
        out.flush();
    }

    /**
     * One anchored exclude pattern per record ({@code --exclude-from}): {@code /a/b} matches exactly
     * that path from the transfer root.
     */
    public static void writeExcludes(Path file, Collection<Path> paths) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            for (Path p : paths) {
                out.write(pattern(PathBytes.of(p), ""));
                out.write(0);
            }
        }
    }

    /**
     * The filter records that select exactly the given paths, whole directories included, and the
     * directories above them ({@code --include-from}, to be followed by {@code --exclude=*}).
     */
    public static void writeIncludes(Path file, Collection<Path> paths) throws IOException {
        Set<Path> parents = new LinkedHashSet<>();
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            for (Path p : paths) {
                for (Path parent = p.getParent(); parent != null; parent = parent.getParent()) {
                    if (!parents.add(parent)) break;
                }
            }
            for (Path parent : parents) {
                out.write(pattern(PathBytes.of(parent), "/"));
                out.write(0);
            }
            for (Path p : paths) {
                byte[] raw = PathBytes.of(p);
                out.write(pattern(raw, ""));
                out.write(0);
                out.write(pattern(raw, "/***"));
                out.write(0);
            }
        }
    }

    /**
     * {@code /rel} followed by {@code suffix}, as an rsync pattern matching {@code rel} literally.
     * rsync only honours backslash escapes in patterns that hold a wildcard, so {@code *?[} are
     * escaped with a backslash and a backslash itself becomes the class {@code [\\]}, which also
     * switches the pattern to wildcard matching.
     */
    static byte[] pattern(byte[] rel, String suffix) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(rel.length + suffix.length() + 8);
        out.write('/');
        for (byte b : rel) {
            if (b == '\\') {
                out.writeBytes(new byte[] {'[', '\\', '\\', ']'});
                continue;
            }
            if (b == '*' || b == '?' || b == '[') out.write('\\');
            out.write(b);
        }
        out.writeBytes(suffix.getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
