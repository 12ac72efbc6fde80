package io.jclsync.beneath;

import io.jclsync.fs.FileType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** What statx(2) says of one entry, never following a symbolic link. */
public record Stat(FileType type, int mode, long size, long mtimeNanos, long inode, int links, int uid, int gid) {
    private static final int S_IFMT = 0170000;

    static Stat of(byte[] statx) {
        ByteBuffer b = ByteBuffer.wrap(statx).order(ByteOrder.nativeOrder());
        int rawMode = Short.toUnsignedInt(b.getShort(28));
        FileType type = switch (rawMode & S_IFMT) {
            case 0100000 -> FileType.FILE;
            case 0040000 -> FileType.DIRECTORY;
            case 0120000 -> FileType.SYMLINK;
            default -> FileType.SPECIAL;
        };
        long mtime = b.getLong(112) * 1_000_000_000L + Integer.toUnsignedLong(b.getInt(120));
        return new Stat(type, rawMode & 07777, b.getLong(40), mtime, b.getLong(32), b.getInt(16), b.getInt(20), b.getInt(24));
    }
}
