package io.jclsync.fs;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;

/**
 * A path relative to a tree's root, as raw bytes with {@code /} between components, checked to
 * stay inside the tree: not empty, not absolute, no NUL, no empty, {@code .} or {@code ..}
 * component, at most {@link #MAX_BYTES} bytes. Everything that arrives from a peer goes through
 * {@link #of(byte[])} before it is used.
 */
public final class RelPath {
    public static final int MAX_BYTES = 4096;
    /**
     * Paths in unsigned byte order, so each directory comes before everything below it (a path
     * sorts before every longer path it is a prefix of).
     */
    public static final Comparator<RelPath> PARENTS_FIRST = (a, b) -> Arrays.compareUnsigned(a.bytes, b.bytes);

    private final byte[] bytes;

    private RelPath(byte[] bytes) {
        this.bytes = bytes;
    }

    /** @throws IllegalArgumentException naming what is wrong with {@code raw} */
    public static RelPath of(byte[] raw) {
        if (raw.length == 0) throw new IllegalArgumentException("empty path");
        if (raw.length > MAX_BYTES) throw new IllegalArgumentException("path of " + raw.length + " bytes (max " + MAX_BYTES + ")");
        if (raw[0] == '/') throw new IllegalArgumentException("absolute path " + display(raw));
        int start = 0;
        for (int i = 0; i <= raw.length; i++) {
            if (i < raw.length && raw[i] == 0) throw new IllegalArgumentException("path with a NUL byte: " + display(raw));
            if (i == raw.length || raw[i] == '/') {
                int len = i - start;
                if (len == 0) throw new IllegalArgumentException("empty component in " + display(raw));
                if ((len == 1 && raw[start] == '.') || (len == 2 && raw[start] == '.' && raw[start + 1] == '.')) {
                    throw new IllegalArgumentException("'.' or '..' component in " + display(raw));
                }
                start = i + 1;
            }
        }
        return new RelPath(raw.clone());
    }

    /** The relative path of a {@link Path} below a tree root (its raw bytes). */
    public static RelPath of(Path relative) {
        return of(PathBytes.of(relative));
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public Path toPath() {
        return PathBytes.path(bytes);
    }

    /** The directory this path is in; null for a path of one name (in the root). */
    public RelPath parent() {
        for (int i = bytes.length - 1; i > 0; i--) {
            if (bytes[i] == '/') return new RelPath(Arrays.copyOf(bytes, i));
        }
        return null;
    }

    /** Whether this path is {@code dir} or below it. */
    public boolean startsWith(RelPath dir) {
        int n = dir.bytes.length;
        return bytes.length >= n && Arrays.equals(bytes, 0, n, dir.bytes, 0, n)
                && (bytes.length == n || bytes[n] == '/');
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RelPath other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return display(bytes);
    }

    /** Printable form for messages: bytes that are not printable ASCII as \xNN. */
    static String display(byte[] raw) {
        StringBuilder sb = new StringBuilder();
        for (byte b : Arrays.copyOf(raw, Math.min(raw.length, 200))) {
            int c = b & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '\\') sb.append((char) c);
            else sb.append(String.format("\\x%02x", c));
        }
        if (raw.length > 200) sb.append("...");
        return new String(sb.toString().getBytes(StandardCharsets.US_ASCII), StandardCharsets.US_ASCII);
    }
}
