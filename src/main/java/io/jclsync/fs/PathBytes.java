package io.jclsync.fs;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;

/**
 * Converts between {@link Path} and the raw bytes the kernel uses for a name.
 *
 * <p>Linux names are bytes, not text: a name that is not valid UTF-8 cannot round-trip through
 * {@code Path.of(String)}. The JDK's Unix paths do keep the raw bytes internally, so with
 * {@code --add-opens java.base/sun.nio.fs=ALL-UNNAMED} (passed by the launcher, the jar manifest
 * and the test JVMs) we use them directly. Without it, names fall back to UTF-8, and a name that
 * is not valid UTF-8 is reported as an error rather than silently mangled.
 */
public final class PathBytes {
    private PathBytes() {}

    private static final class Native {
        static final MethodHandle AS_BYTES;
        static final MethodHandle FROM_BYTES;
        static final FileSystem FS = FileSystems.getDefault();

        static {
            MethodHandle asBytes = null;
            MethodHandle fromBytes = null;
            try {
                Class<?> unixPath = Class.forName("sun.nio.fs.UnixPath");
                Class<?> unixFs = Class.forName("sun.nio.fs.UnixFileSystem");
                MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(unixPath, MethodHandles.lookup());
                asBytes = lookup.findVirtual(unixPath, "asByteArray", MethodType.methodType(byte[].class));
                fromBytes = lookup.findConstructor(unixPath,
                        MethodType.methodType(void.class, unixFs, byte[].class));
            } catch (ReflectiveOperationException | IllegalAccessError | RuntimeException e) {
                asBytes = null;
                fromBytes = null;
            }
            AS_BYTES = asBytes;
            FROM_BYTES = fromBytes;
        }
    }

    /** True when names that are not valid UTF-8 are handled exactly. */
    public static boolean exact() {
        return Native.AS_BYTES != null;
    }

    /** The raw bytes of {@code path} as the kernel sees them. */
    public static byte[] of(Path path) {
        if (Native.AS_BYTES != null && path.getFileSystem() == Native.FS) {
            try {
                return ((byte[]) Native.AS_BYTES.invoke(path)).clone();
            } catch (Throwable e) {
                throw new IllegalStateException("cannot read raw bytes of a path", e);
            }
        }
        return path.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The path whose raw bytes are {@code bytes} (no NUL allowed). */
    public static Path path(byte[] bytes) {
        for (byte b : bytes) {
            if (b == 0) throw new IllegalArgumentException("path contains a NUL byte");
        }
        if (Native.FROM_BYTES != null) {
            try {
                return (Path) Native.FROM_BYTES.invoke(Native.FS, bytes.clone());
            } catch (Throwable e) {
                throw new IllegalStateException("cannot build a path from raw bytes", e);
            }
        }
        return Path.of(new String(bytes, StandardCharsets.UTF_8));
    }

    /** {@code dir} resolved with one raw name. */
    public static Path child(Path dir, byte[] name) {
        if (dir.toString().isEmpty()) return path(name);
        byte[] d = of(dir);
        byte[] joined = new byte[d.length + 1 + name.length];
        System.arraycopy(d, 0, joined, 0, d.length);
        joined[d.length] = '/';
        System.arraycopy(name, 0, joined, d.length + 1, name.length);
        return path(joined);
    }

    /** A printable form for logs: bytes that are not printable UTF-8 become \xNN, newlines \n. */
    public static String display(Path path) {
        return display(of(path));
    }

    public static String display(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.UTF_8);
        boolean clean = s.chars().noneMatch(c -> c == 0xFFFD || c < 0x20 || c == 0x7f);
        if (clean) return s;
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < bytes.length) {
            int b = bytes[i] & 0xff;
            int len = utf8Length(bytes, i);
            if (len > 1) {
                out.append(new String(bytes, i, len, StandardCharsets.UTF_8));
                i += len;
            } else if (b >= 0x20 && b < 0x7f) {
                out.append((char) b);
                i++;
            } else if (b == '\n') {
                out.append("\\n");
                i++;
            } else {
                out.append(String.format("\\x%02x", b));
                i++;
            }
        }
        return out.toString();
    }

    /** Length of a valid multi-byte UTF-8 sequence at {@code i}, or 1 if none. */
    private static int utf8Length(byte[] b, int i) {
        int lead = b[i] & 0xff;
        int len = lead >= 0xf0 && lead < 0xf5 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 && lead < 0xe0 ? 2 : 1;
        if (lead >= 0xf5 || len == 1 || i + len > b.length) return 1;
        for (int k = 1; k < len; k++) {
            if ((b[i + k] & 0xc0) != 0x80) return 1;
        }
        return len;
    }
}
