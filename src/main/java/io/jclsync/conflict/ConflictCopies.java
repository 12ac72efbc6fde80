package io.jclsync.conflict;

import io.jclsync.fs.ContentHash;
import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Names the copy a losing version is kept as, next to the path:
 * {@code NAME.sync-conflict-YYYYMMDD-HHMMSS-NODE-HASH.EXT}. The time is the losing version's mtime
 * (UTC) and HASH the first 8 hex digits of its content's sha256 (a symlink's: of its target), so
 * every node names the copy the same, two versions one node wrote within a second are kept under
 * two names, and the same content lost twice is one copy.
 */
public final class ConflictCopies {
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private ConflictCopies() {}

    /**
     * Where a losing subtree is kept: {@code CONFLICT_DIR/SUBTREE.sync-conflict-YYYYMMDD-HHMMSS-NODE},
     * with the latest mtime found in it and that entry's writer, so that two nodes keeping the same
     * losing subtree name it the same.
     */
    public static RelPath subtreeCopyOf(RelPath conflictDir, RelPath subtree, long latestMtimeNanos, String node) {
        String suffix = ".sync-conflict-" + STAMP.format(Instant.EPOCH.plusNanos(latestMtimeNanos)) + "-" + node;
        byte[] dir = conflictDir.bytes();
        byte[] sub = subtree.bytes();
        byte[] tail = suffix.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[dir.length + 1 + sub.length + tail.length];
        System.arraycopy(dir, 0, out, 0, dir.length);
        out[dir.length] = '/';
        System.arraycopy(sub, 0, out, dir.length + 1, sub.length);
        System.arraycopy(tail, 0, out, dir.length + 1 + sub.length, tail.length);
        return RelPath.of(out);
    }

    public static RelPath copyOf(RelPath path, Candidate loser) {
        byte[] raw = path.bytes();
        int nameStart = 0;
        for (int i = raw.length - 1; i >= 0; i--) {
            if (raw[i] == '/') {
                nameStart = i + 1;
                break;
            }
        }
        // The extension starts at the last dot of the name, unless the name starts with it (".bashrc").
        int dot = raw.length;
        for (int i = raw.length - 1; i > nameStart; i--) {
            if (raw[i] == '.') {
                dot = i;
                break;
            }
        }
        String stamp = STAMP.format(Instant.EPOCH.plusNanos(loser.state().mtimeNanos()));
        byte[] infix = (".sync-conflict-" + stamp + "-" + loser.node() + contentTag(loser.state()))
                .getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(raw, raw.length + infix.length);
        System.arraycopy(infix, 0, out, dot, infix.length);
        System.arraycopy(raw, dot, out, dot + infix.length, raw.length - dot);
        return RelPath.of(out);
    }

    /** {@code -HASH} for a file or symlink, empty for what has no content of its own. */
    private static String contentTag(FileState state) {
        byte[] hash = switch (state.type()) {
            case FILE -> state.sha256();
            case SYMLINK -> ContentHash.sha256(state.linkTarget());
            default -> new byte[0];
        };
        return hash.length < 4 ? "" : "-" + HexFormat.of().formatHex(hash, 0, 4);
    }
}
