package io.jclsync.state;

import io.jclsync.fs.FileType;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The version of content no node is known to have written: what a node without an index finds in
 * its first scan. Its vector has one entry keyed by a digest of the content ({@code #} and 16 hex
 * digits) instead of a node name, so the same content found on several nodes has the same version
 * on each, whenever and in whatever order they scanned it; a change made to it descends from it
 * (newer everywhere), and two nodes' different first-scan contents are concurrent (a conflict).
 * PROTOCOL.md, <i>Versions and conflicts</i>, gives the digest byte for byte.
 */
public final class ContentVersion {
    private static final Pattern KEY = Pattern.compile("#[0-9a-f]{16}");

    private ContentVersion() {}

    /** The vector of {@code state} as found by a first scan: {@code {key(state): 1}}. */
    public static VersionVector of(FileState state) {
        return VersionVector.of(key(state), 1);
    }

    /**
     * {@code #} and the first 8 bytes, in hex, of SHA-256 over: the type's letter ({@code f},
     * {@code d}, {@code l}), the mode (4 bytes) and size (8 bytes) big-endian, then a file's sha256
     * or a symlink's target. The mtime is left out: a copy that did not keep it is the same content.
     */
    public static String key(FileState state) {
        char type = switch (state.type()) {
            case FILE -> 'f';
            case DIRECTORY -> 'd';
            case SYMLINK -> 'l';
            case SPECIAL -> throw new IllegalArgumentException("special files have no version");
        };
        byte[] tail = state.type() == FileType.FILE ? state.sha256() : state.linkTarget();
        ByteBuffer in = ByteBuffer.allocate(1 + 4 + 8 + tail.length).put((byte) type).putInt(state.mode())
                .putLong(state.type() == FileType.FILE ? state.size() : 0).put(tail);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(in.array());
            return "#" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** Whether {@code name} is a content key (never a node name: those start alphanumeric). */
    public static boolean isKey(String name) {
        return KEY.matcher(name).matches();
    }
}
