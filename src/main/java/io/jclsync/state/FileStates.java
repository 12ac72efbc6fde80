package io.jclsync.state;

import io.jclsync.state.FileState;
import io.jclsync.fs.ContentHash;
import io.jclsync.fs.FileType;
import io.jclsync.fs.PathBytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.Set;

/** The announced state of a local entry: type, size, nanosecond mtime, mode, link target, sha256. */
public final class FileStates {
    private FileStates() {}

    /** The state of {@code abs}, or null if it does not exist or is a special file. */
    public static FileState of(Path abs) throws IOException {
        return of(abs, null);
    }

    /**
     * The same, reusing {@code known}'s hash when the file still has its size and nanosecond mtime
     * (a restart does not rehash an unchanged tree).
     */
    public static FileState of(Path abs, FileState known) throws IOException {
        PosixFileAttributes a;
        try {
            a = Files.readAttributes(abs, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
        FileType type = FileType.of(a);
        long mtime = a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS);
        int mode = mode(a.permissions());
        return switch (type) {
            case FILE -> new FileState(type, a.size(), mtime, mode, new byte[0],
                    known != null && known.type() == FileType.FILE && known.size() == a.size()
                            && known.mtimeNanos() == mtime ? known.sha256() : ContentHash.sha256(abs));
            case DIRECTORY -> new FileState(type, 0, mtime, mode, new byte[0], new byte[0]);
            case SYMLINK -> new FileState(type, 0, mtime, 0777,
                    PathBytes.of(Files.readSymbolicLink(abs)), new byte[0]);
            case SPECIAL -> null;
        };
    }

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


    public static int mode(Set<PosixFilePermission> perms) {
        int mode = 0;
        for (PosixFilePermission p : perms) mode |= 1 << (8 - p.ordinal());
        return mode;
    }

    public static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> out = java.util.EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : PosixFilePermission.values()) {
            if ((mode & (1 << (8 - p.ordinal()))) != 0) out.add(p);
        }
        return out;
    }
}
