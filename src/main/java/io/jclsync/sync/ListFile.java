package io.jclsync.sync;

import io.jclsync.fs.PathBytes;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;

/**
 * Writes the files rsync reads with {@code --from0}: raw path bytes, each followed by a NUL, so
 * names with spaces, newlines or bytes that are not UTF-8 pass unchanged.
 */
public final class ListFile {
    private ListFile() {}

    /** One relative path per record: the {@code --files-from} format. */
    public static void writePaths(Path file, Collection<Path> paths) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            for (Path p : paths) {
                out.write(PathBytes.of(p));
                out.write(0);
            }
        }
    }

    /**
     * One anchored exclude pattern per record ({@code --exclude-from}): {@code /a/b} matches exactly
     * that path from the transfer root. Wildcard characters in names are escaped so they match
     * themselves.
     */
    public static void writeExcludes(Path file, Collection<Path> paths) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            for (Path p : paths) {
                out.write(excludePattern(PathBytes.of(p)));
                out.write(0);
            }
        }
    }

    static byte[] excludePattern(byte[] rel) {
        byte[] escaped = new byte[rel.length * 2 + 1];
        int n = 0;
        escaped[n++] = '/';
        for (byte b : rel) {
            if (b == '*' || b == '?' || b == '[' || b == '\\') escaped[n++] = '\\';
            escaped[n++] = b;
        }
        return java.util.Arrays.copyOf(escaped, n);
    }
}
