package io.jclsync.state;

import io.jclsync.fs.ContentHash;
import io.jclsync.fs.FileType;
import io.jclsync.fs.PathBytes;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;

/** The announced state of a local entry: type, size, nanosecond mtime, mode, link target, sha256. */
public final class FileStates {
    private FileStates() {}

    /** The state of {@code abs}, or null if it does not exist or is a special file. */
    public static FileState of(Path abs) throws IOException {
        return of(abs, null);
    }

    /**
     * The same, reusing {@code known}'s hash when the file still has its size, nanosecond mtime
     * and inode (a restart does not rehash an unchanged tree; a file replaced by another with the
     * same size and mtime is). One {@code lstat}.
     */
    public static FileState of(Path abs, FileState known) throws IOException {
        try {
            return read(abs, known);
        } catch (FileSystemException e) {
            if (FileType.gone(e)) return null; // gone between the lstat and the read, or a parent replaced
            throw e;
        }
    }

    private static FileState read(Path abs, FileState known) throws IOException {
        Map<String, Object> a = Files.readAttributes(abs, "unix:mode,ino,size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
        int stMode = (Integer) a.get("mode");
        long ino = (Long) a.get("ino");
        long size = (Long) a.get("size");
        long mtime = ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS);
        int mode = stMode & 07777;
        return switch (stMode & S_IFMT) {
            case S_IFREG -> new FileState(FileType.FILE, size, mtime, mode, new byte[0],
                    known != null && known.type() == FileType.FILE && known.size() == size
                            && known.mtimeNanos() == mtime && (known.inode() == 0 || known.inode() == ino)
                            ? known.sha256() : ContentHash.sha256(abs), ino);
            case S_IFDIR -> new FileState(FileType.DIRECTORY, 0, mtime, mode, new byte[0], new byte[0], ino);
            case S_IFLNK -> new FileState(FileType.SYMLINK, 0, mtime, 0777,
                    PathBytes.of(Files.readSymbolicLink(abs)), new byte[0], ino);
            default -> null;
        };
    }

    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;

    /**
     * Whether two states are the same version of an entry: for files contents, mode and mtime;
     * for directories the mode (their mtime changes with every entry added); for links the target.
     */
    public static boolean same(FileState a, FileState b) {
        if (a == null || b == null) return a == b;
        if (a.type() != b.type()) return false;
        return switch (a.type()) {
            case FILE -> a.size() == b.size() && a.mode() == b.mode() && a.mtimeNanos() == b.mtimeNanos()
                    && Arrays.equals(a.sha256(), b.sha256());
            case DIRECTORY -> a.mode() == b.mode();
            case SYMLINK -> Arrays.equals(a.linkTarget(), b.linkTarget());
            case SPECIAL -> false;
        };
    }

    /**
     * Whether two states hold the same content: type, mode, and a file's size and sha256 or a
     * link's target. Unlike {@link #same} the mtime does not count: equal content is never a
     * conflict, whatever the time on it.
     */
    public static boolean sameContent(FileState a, FileState b) {
        if (a == null || b == null) return a == b;
        if (a.type() != b.type() || a.type() == FileType.SPECIAL) return false;
        return a.type() != FileType.FILE ? same(a, b)
                : a.size() == b.size() && a.mode() == b.mode() && Arrays.equals(a.sha256(), b.sha256());
    }

    public static int mode(Set<PosixFilePermission> perms) {
        int mode = 0;
        for (PosixFilePermission p : perms) mode |= 1 << (8 - p.ordinal());
        return mode;
    }

    public static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : PosixFilePermission.values()) {
            if ((mode & (1 << (8 - p.ordinal()))) != 0) out.add(p);
        }
        return out;
    }
}
