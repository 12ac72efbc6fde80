package io.jclsync.beneath;

import com.sun.jna.LastErrorException;
import io.jclsync.fs.ContentHash;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file opened by {@link Dir}: what is read, hashed and stamped is this one file, whatever is
 * renamed or swapped at its name meanwhile.
 */
public final class OpenFile implements AutoCloseable {
    private static final Syscalls C = Syscalls.C;

    private final int fd;
    private final String shown;
    private boolean closed;

    OpenFile(int fd, String shown) {
        this.fd = fd;
        this.shown = shown;
    }

    public Stat stat() throws IOException {
        byte[] buf = new byte[256];
        try {
            C.statx(fd, new byte[1], Syscalls.AT_EMPTY_PATH, Syscalls.STATX_BASIC_STATS, buf);
            return Stat.of(buf);
        } catch (LastErrorException e) {
            throw Dir.error(e, shown);
        }
    }

    /** The sha256 of the content. */
    public byte[] sha256() throws IOException {
        try (InputStream in = read()) {
            return ContentHash.sha256(in);
        }
    }

    /** Reads the content (through this descriptor's {@code /proc/self/fd} link: the same open file). */
    public InputStream read() throws IOException {
        return Files.newInputStream(path());
    }

    /** Copies what this file holds to a new file {@code toName} in {@code to} with {@code mode} and {@code mtimeNanos}. */
    public void copyTo(Dir to, byte[] toName, int mode, long mtimeNanos) throws IOException {
        try (OpenFile out = to.createFile(toName, 0600)) {
            try (InputStream src = read(); OutputStream dst = out.write()) {
                src.transferTo(dst);
            }
            out.chmod(mode);
            out.setMtime(mtimeNanos);
        }
    }

    /** Writes to this file, opened for writing by {@link Dir#createFile}. */
    public OutputStream write() throws IOException {
        return Files.newOutputStream(path(), StandardOpenOption.WRITE);
    }

    public void chmod(int mode) throws IOException {
        try {
            C.fchmod(fd, mode & 07777);
        } catch (LastErrorException e) {
            throw Dir.error(e, shown);
        }
    }

    public void setMtime(long mtimeNanos) throws IOException {
        try {
            C.futimens(fd, Dir.times(mtimeNanos));
        } catch (LastErrorException e) {
            throw Dir.error(e, shown);
        }
    }

    public void fsync() throws IOException {
        try {
            C.fsync(fd);
        } catch (LastErrorException e) {
            throw Dir.error(e, shown);
        }
    }

    private Path path() {
        return Path.of("/proc/self/fd", Integer.toString(fd));
    }

    @Override
    public String toString() {
        return shown;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Dir.close(fd);
    }
}
