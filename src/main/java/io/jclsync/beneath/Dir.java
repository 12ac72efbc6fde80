package io.jclsync.beneath;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import io.jclsync.fs.FileType;
import io.jclsync.fs.PathBytes;
import io.jclsync.fs.RelPath;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An open directory of a tree, and the writes made in it. A handle stays on the directory it was
 * opened on whatever is renamed or replaced above it, so a path resolved from it cannot be sent
 * elsewhere by a symbolic link swapped in meanwhile: every path below a handle is resolved
 * without following one ({@link NotBeneathException} when it meets one), and every change is
 * made by name relative to the handle of the directory it is in. Names are single raw path
 * components, never containing {@code /}.
 *
 * <p>Reads the JDK does well (hashing, listing) go through {@link #path(byte[])}, this
 * directory's {@code /proc/self/fd} link, which the kernel resolves to the open directory itself.
 */
public final class Dir implements AutoCloseable {
    private static final Syscalls C = Syscalls.C;
    private static final int DIR_FLAGS = Syscalls.O_RDONLY | Syscalls.O_DIRECTORY | Syscalls.O_NOFOLLOW | Syscalls.O_CLOEXEC;
    /** Cleared the first time the kernel (or a seccomp filter) refuses openat2: the walk is used from then on. */
    private static volatile boolean openat2 = true;

    private final int fd;
    private final String shown;
    private boolean closed;

    private Dir(int fd, String shown) {
        this.fd = fd;
        this.shown = shown;
    }

    /** Opens a tree's root (the configured path, which may itself be reached through links). */
    public static Dir root(Path root) throws IOException {
        if (!Platform.is64Bit() || !(Platform.isIntel() || Platform.isARM())) {
            throw new IOException("writes through directory handles are implemented for amd64 and arm64 only, not "
                    + Platform.ARCH);
        }
        try {
            return new Dir(C.openat(Syscalls.AT_FDCWD, cString(PathBytes.of(root)),
                    Syscalls.O_RDONLY | Syscalls.O_DIRECTORY | Syscalls.O_CLOEXEC, 0), root.toString());
        } catch (LastErrorException e) {
            throw error(e, root.toString());
        }
    }

    /** For tests: resolve by walking components as on a kernel without openat2. */
    static void useOpenat2(boolean use) {
        openat2 = use;
    }

    /** The directory {@code rel} below this one, no link followed on the way. */
    public Dir dir(RelPath rel) throws IOException {
        return new Dir(resolve(rel.bytes()), shown + "/" + rel);
    }

    /** The directory {@code rel} is in (a new handle of this one for a single name). */
    public Dir parentOf(RelPath rel) throws IOException {
        byte[] b = rel.bytes();
        int slash = lastSlash(b);
        if (slash < 0) return reopen();
        return new Dir(resolve(Arrays.copyOf(b, slash)), shown + "/" + PathBytes.display(Arrays.copyOf(b, slash)));
    }

    /**
     * The directory {@code rel} is in, making the missing ones (mode {@code mode}, the umask
     * applies); {@code made} hears of each one as it is made.
     */
    public Dir makeParents(RelPath rel, int mode, Made made) throws IOException {
        byte[] b = rel.bytes();
        int slash = lastSlash(b);
        if (slash < 0) return reopen();
        Dir at = reopen();
        int start = 0;
        try {
            while (start < slash) {
                int end = indexOf(b, (byte) '/', start);
                if (end < 0 || end > slash) end = slash;
                byte[] name = Arrays.copyOfRange(b, start, end);
                Dir next;
                try {
                    next = at.openDir(name);
                } catch (NoSuchFileException missing) {
                    at.mkdir(name, mode);
                    made.made(RelPath.of(Arrays.copyOf(b, end)), at, name);
                    next = at.openDir(name);
                }
                at.close();
                at = next;
                start = end + 1;
            }
            return at;
        } catch (IOException | RuntimeException e) {
            at.close();
            throw e;
        }
    }

    /** Hears of a directory {@link #makeParents} made: its path below the handle, and where it is ({@code name} in {@code parent}). */
    public interface Made {
        void made(RelPath rel, Dir parent, byte[] name) throws IOException;
    }

    /** The entry {@code name} here, or null if there is none. */
    public Stat stat(byte[] name) throws IOException {
        byte[] buf = new byte[256];
        try {
            C.statx(fd, cString(name), Syscalls.AT_SYMLINK_NOFOLLOW, Syscalls.STATX_BASIC_STATS, buf);
            return Stat.of(buf);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Syscalls.ENOENT) return null;
            throw error(e, name);
        }
    }

    public void mkdir(byte[] name, int mode) throws IOException {
        try {
            C.mkdirat(fd, cString(name), mode);
        } catch (LastErrorException e) {
            throw error(e, name);
        }
    }

    /** Removes a file or symlink. @return false if there was none */
    public boolean unlink(byte[] name) throws IOException {
        return unlinkat(name, 0);
    }

    /** Removes an empty directory. @return false if there was none */
    public boolean rmdir(byte[] name) throws IOException {
        return unlinkat(name, Syscalls.AT_REMOVEDIR);
    }

    private boolean unlinkat(byte[] name, int flags) throws IOException {
        try {
            C.unlinkat(fd, cString(name), flags);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Syscalls.ENOENT) return false;
            throw error(e, name);
        }
    }

    public void symlink(byte[] target, byte[] name) throws IOException {
        try {
            C.symlinkat(cString(target), fd, cString(name));
        } catch (LastErrorException e) {
            throw error(e, name);
        }
    }

    /**
     * Sets the permission bits of {@code name}, never of what a symlink there points at (a symlink's
     * own bits mean nothing on Linux: it is left alone). A directory is opened and fchmod'ed; anything
     * else goes through fchmodat(AT_SYMLINK_NOFOLLOW), or, where glibc refuses that flag (before
     * 2.32), is opened without following and fchmod'ed.
     */
    public void chmod(byte[] name, int mode) throws IOException {
        Stat st = stat(name);
        if (st == null) throw new NoSuchFileException(shown + "/" + PathBytes.display(name));
        if (st.type() == FileType.SYMLINK) return;
        if (st.type() == FileType.DIRECTORY) {
            try (Dir d = openDir(name)) {
                d.fchmod(mode);
            }
            return;
        }
        try {
            C.fchmodat(fd, cString(name), mode & 07777, Syscalls.AT_SYMLINK_NOFOLLOW);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != Syscalls.EOPNOTSUPP) throw error(e, name);
            try (OpenFile f = openFile(name)) {
                f.chmod(mode);
            }
        }
    }

    private void fchmod(int mode) throws IOException {
        try {
            C.fchmod(fd, mode & 07777);
        } catch (LastErrorException e) {
            throw error(e, shown);
        }
    }

    /** Sets the mtime of {@code name} itself (a symlink's own), leaving its atime. */
    public void setMtime(byte[] name, long mtimeNanos) throws IOException {
        try {
            C.utimensat(fd, cString(name), times(mtimeNanos), Syscalls.AT_SYMLINK_NOFOLLOW);
        } catch (LastErrorException e) {
            throw error(e, name);
        }
    }

    /**
     * Renames {@code name} here to {@code toName} in {@code to}, replacing a file (or an empty dir) there.
     *
     * @throws AtomicMoveNotSupportedException when {@code to} is on another file system
     */
    public void rename(byte[] name, Dir to, byte[] toName) throws IOException {
        try {
            C.renameat(fd, cString(name), to.fd, cString(toName));
        } catch (LastErrorException e) {
            throw moveError(e, name, to, toName);
        }
    }

    /** The same, but never replacing anything: {@link FileAlreadyExistsException} if {@code toName} exists. */
    public void renameNoReplace(byte[] name, Dir to, byte[] toName) throws IOException {
        try {
            C.renameat2(fd, cString(name), to.fd, cString(toName), Syscalls.RENAME_NOREPLACE);
        } catch (LastErrorException e) {
            throw moveError(e, name, to, toName);
        }
    }

    /** A hard link {@code toName} in {@code to} of {@code name} here (a symlink is linked itself). */
    public void link(byte[] name, Dir to, byte[] toName) throws IOException {
        try {
            C.linkat(fd, cString(name), to.fd, cString(toName), 0);
        } catch (LastErrorException e) {
            throw moveError(e, name, to, toName);
        }
    }

    private IOException moveError(LastErrorException e, byte[] name, Dir to, byte[] toName) {
        String from = shown + "/" + PathBytes.display(name);
        String dest = to.shown + "/" + PathBytes.display(toName);
        if (e.getErrorCode() == Syscalls.EXDEV) return new AtomicMoveNotSupportedException(from, dest, "another file system");
        if (e.getErrorCode() == Syscalls.EEXIST) return new FileAlreadyExistsException(dest);
        return plainError(e, from);
    }

    /** The directory {@code name} here, not followed if it is a link. */
    public Dir openDir(byte[] name) throws IOException {
        try {
            return new Dir(C.openat(fd, cString(name), DIR_FLAGS, 0), shown + "/" + PathBytes.display(name));
        } catch (LastErrorException e) {
            throw error(e, name);
        }
    }

    /** The regular file {@code name} here, opened for reading; anything else is refused. */
    public OpenFile openFile(byte[] name) throws IOException {
        int f;
        try {
            f = C.openat(fd, cString(name), Syscalls.O_RDONLY | Syscalls.O_NOFOLLOW | Syscalls.O_NONBLOCK | Syscalls.O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw error(e, name);
        }
        OpenFile file = new OpenFile(f, shown + "/" + PathBytes.display(name));
        if (file.stat().type() != FileType.FILE) {
            file.close();
            throw new IOException(shown + "/" + PathBytes.display(name) + " is not a regular file");
        }
        return file;
    }

    /** A new file {@code name} here, which must not exist yet (a link there is not followed). */
    public OpenFile createFile(byte[] name, int mode) throws IOException {
        try {
            int f = C.openat(fd, cString(name), Syscalls.O_WRONLY | Syscalls.O_CREAT | Syscalls.O_EXCL
                    | Syscalls.O_NOFOLLOW | Syscalls.O_CLOEXEC, mode);
            return new OpenFile(f, shown + "/" + PathBytes.display(name));
        } catch (LastErrorException e) {
            throw error(e, name);
        }
    }

    /**
     * Copies the regular file {@code name} here, read through its open descriptor, to a new file
     * {@code toName} in {@code to} with {@code mode} and {@code mtimeNanos}.
     */
    public void copyFile(byte[] name, Dir to, byte[] toName, int mode, long mtimeNanos) throws IOException {
        try (OpenFile in = openFile(name)) {
            in.copyTo(to, toName, mode, mtimeNanos);
        }
    }

    /** Makes {@code toName} in {@code to} a symlink to where the symlink {@code name} here points. */
    public void copyLink(byte[] name, Dir to, byte[] toName) throws IOException {
        to.symlink(PathBytes.of(Files.readSymbolicLink(path(name))), toName);
    }

    /** The names in this directory. */
    public List<byte[]> list() throws IOException {
        List<byte[]> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(path())) {
            for (Path p : entries) names.add(PathBytes.of(p.getFileName()));
        }
        return names;
    }

    /** Deletes {@code name} and, if it is a directory, everything below it; no link is followed. */
    public void deleteTree(byte[] name) throws IOException {
        Stat st = stat(name);
        if (st == null) return;
        if (st.type() == FileType.DIRECTORY) {
            try (Dir sub = openDir(name)) {
                for (byte[] child : sub.list()) sub.deleteTree(child);
            } catch (NoSuchFileException gone) {
                return;
            }
            rmdir(name);
        } else {
            unlink(name);
        }
    }

    /** This directory for the JDK's reads: its {@code /proc/self/fd} link. */
    public Path path() {
        return Path.of("/proc/self/fd", Integer.toString(fd));
    }

    /** {@code name} in this directory, for JDK reads that do not follow the last component. */
    public Path path(byte[] name) {
        return PathBytes.child(path(), name);
    }

    /** The path other processes (rsync) can use for this directory while it is open. */
    public Path pathForChildren() {
        return Path.of("/proc", Long.toString(ProcessHandle.current().pid()), "fd", Integer.toString(fd));
    }

    @Override
    public String toString() {
        return shown;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        close(fd);
    }

    /** close(2): the descriptor is released even when it reports an error, so there is nothing to do about one. */
    static void close(int fd) {
        try {
            C.close(fd);
        } catch (LastErrorException ignored) {
            // released all the same
        }
    }

    private Dir reopen() throws IOException {
        try {
            return new Dir(C.openat(fd, cString(new byte[] {'.'}), Syscalls.O_RDONLY | Syscalls.O_DIRECTORY | Syscalls.O_CLOEXEC, 0), shown);
        } catch (LastErrorException e) {
            throw error(e, shown);
        }
    }

    /** Opens the directory {@code rel} below this one without following any link. */
    private int resolve(byte[] rel) throws IOException {
        if (openat2) {
            long[] how = {DIR_FLAGS, 0, Syscalls.RESOLVE_BENEATH | Syscalls.RESOLVE_NO_SYMLINKS | Syscalls.RESOLVE_NO_MAGICLINKS};
            try {
                return C.syscall(new NativeLong(Syscalls.SYS_OPENAT2), fd, cString(rel), how, new NativeLong(24)).intValue();
            } catch (LastErrorException e) {
                int errno = e.getErrorCode();
                if (errno == Syscalls.ENOSYS || errno == Syscalls.EPERM || errno == Syscalls.E2BIG) {
                    openat2 = false; // an old kernel, or a seccomp filter that forbids it
                } else if (errno != Syscalls.EAGAIN) {
                    throw error(e, rel);
                }
            }
        }
        Dir at = reopen();
        try {
            int start = 0;
            while (start <= rel.length) {
                int end = indexOf(rel, (byte) '/', start);
                if (end < 0) end = rel.length;
                Dir next = at.openDir(Arrays.copyOfRange(rel, start, end));
                at.close();
                at = next;
                start = end + 1;
            }
            Dir found = at;
            at = null;
            found.closed = true; // handed over: the caller's Dir owns the descriptor now
            return found.fd;
        } catch (NotBeneathException e) {
            throw new NotBeneathException(shown + "/" + PathBytes.display(rel) + ": " + e.getMessage());
        } finally {
            if (at != null) at.close();
        }
    }

    /**
     * errno of a call that resolves a name here without following it (openat with O_NOFOLLOW,
     * openat2) as the exception a caller can act on: a link or a non-directory on the way is
     * {@link NotBeneathException}.
     */
    private IOException error(LastErrorException e, byte[] name) {
        return error(e, shown + "/" + PathBytes.display(name));
    }

    static IOException error(LastErrorException e, String what) {
        return switch (e.getErrorCode()) {
            case Syscalls.ELOOP, Syscalls.ENOTDIR, Syscalls.EXDEV ->
                    new NotBeneathException(what + ": a symbolic link or a non-directory is on the way; not followed");
            default -> plainError(e, what);
        };
    }

    /** errno of any other call, where ELOOP, ENOTDIR or EXDEV mean what they say. */
    static IOException plainError(LastErrorException e, String what) {
        return switch (e.getErrorCode()) {
            case Syscalls.ENOENT -> new NoSuchFileException(what);
            case Syscalls.EEXIST -> new FileAlreadyExistsException(what);
            default -> new IOException(what + ": " + e.getMessage());
        };
    }

    static long[] times(long mtimeNanos) {
        return new long[] {0, Syscalls.UTIME_OMIT, Math.floorDiv(mtimeNanos, 1_000_000_000L), Math.floorMod(mtimeNanos, 1_000_000_000L)};
    }

    static byte[] cString(byte[] b) {
        byte[] c = Arrays.copyOf(b, b.length + 1);
        return c;
    }

    private static int lastSlash(byte[] b) {
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] == '/') return i;
        }
        return -1;
    }

    private static int indexOf(byte[] b, byte c, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == c) return i;
        }
        return -1;
    }

    /** The last component of {@code rel}. */
    public static byte[] name(RelPath rel) {
        byte[] b = rel.bytes();
        return Arrays.copyOfRange(b, lastSlash(b) + 1, b.length);
    }
}
