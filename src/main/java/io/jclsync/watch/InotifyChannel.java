package io.jclsync.watch;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import io.jclsync.fs.PathBytes;
import io.jclsync.watch.jna.Inotify;
import io.jclsync.watch.jna.LibC;
import io.jclsync.watch.jna.Poll;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One inotify instance plus an eventfd used to wake its reader: a thread blocked in read() on an
 * inotify fd is woken neither by close() nor by Thread.interrupt(), so the reader waits in poll()
 * on both fds and {@link #wakeUp()} writes the eventfd.
 */
final class InotifyChannel implements AutoCloseable {
    /** Result of adding a watch. */
    enum AddResult { ADDED, GONE, DENIED }

    private static final int BUFFER_SIZE = 256 * 1024;

    private final LibC libc;
    private final int inotifyFd;
    private final int wakeFd;
    private final Memory pollFds = new Memory(2L * Poll.SIZE);
    private final ByteBuf buffer;
    private final Pointer bufferAddress;
    private final AtomicBoolean closed = new AtomicBoolean();
    private int lastWd;

    private InotifyChannel(LibC libc, int inotifyFd, int wakeFd) {
        this.libc = libc;
        this.inotifyFd = inotifyFd;
        this.wakeFd = wakeFd;
        this.buffer = PooledByteBufAllocator.DEFAULT.directBuffer(BUFFER_SIZE, BUFFER_SIZE);
        ByteBuffer nio = buffer.nioBuffer(0, BUFFER_SIZE);
        this.bufferAddress = Native.getDirectBufferPointer(nio);
        pollFds.clear();
        pollFds.setInt(Poll.FD_OFFSET, inotifyFd);
        pollFds.setShort(Poll.EVENTS_OFFSET, Inotify.POLLIN);
        pollFds.setInt(Poll.SIZE + Poll.FD_OFFSET, wakeFd);
        pollFds.setShort(Poll.SIZE + Poll.EVENTS_OFFSET, Inotify.POLLIN);
    }

    static InotifyChannel open() throws WatchException {
        LibC libc;
        try {
            libc = LibC.load();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new WatchException("cannot load libc through JNA (" + e.getMessage()
                    + "); jclsync needs Linux with inotify", e);
        }
        int fd;
        try {
            fd = libc.inotify_init1(Inotify.IN_NONBLOCK | Inotify.IN_CLOEXEC);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Inotify.EMFILE) throw WatchLimitException.instances();
            throw new WatchException("inotify_init1 failed: errno " + e.getErrorCode(), e);
        }
        int efd;
        try {
            efd = libc.eventfd(0, Inotify.EFD_NONBLOCK | Inotify.EFD_CLOEXEC);
        } catch (LastErrorException e) {
            libc.close(fd);
            throw new WatchException("eventfd failed: errno " + e.getErrorCode(), e);
        }
        return new InotifyChannel(libc, fd, efd);
    }

    /** Adds (or updates) a watch on {@code dir}; {@link #lastWd()} is its descriptor when ADDED. */
    AddResult addWatch(Path dir, int mask, int watchesHeld) throws WatchException {
        byte[] raw = PathBytes.of(dir);
        byte[] cstr = new byte[raw.length + 1];
        System.arraycopy(raw, 0, cstr, 0, raw.length);
        try {
            lastWd = libc.inotify_add_watch(inotifyFd, cstr, mask);
            return AddResult.ADDED;
        } catch (LastErrorException e) {
            return switch (e.getErrorCode()) {
                case Inotify.ENOSPC -> throw WatchLimitException.watches(dir, watchesHeld);
                case Inotify.ENOENT, Inotify.ENOTDIR -> AddResult.GONE;
                case Inotify.EACCES -> AddResult.DENIED;
                default -> throw new WatchException("cannot watch " + PathBytes.display(dir)
                        + ": inotify_add_watch errno " + e.getErrorCode(), e);
            };
        }
    }

    int lastWd() {
        return lastWd;
    }

    void removeWatch(int wd) {
        try {
            libc.inotify_rm_watch(inotifyFd, wd);
        } catch (LastErrorException e) {
            // EINVAL: the kernel already dropped it (directory deleted); nothing to undo.
        }
    }

    /**
     * Waits until events are readable, the channel is woken, or the timeout passes.
     *
     * @return false when woken up for shutdown
     */
    boolean await(int timeoutMillis) throws WatchException {
        while (true) {
            try {
                libc.poll(pollFds, new NativeLong(2), timeoutMillis);
                return (pollFds.getShort(Poll.SIZE + Poll.REVENTS_OFFSET) & Inotify.POLLIN) == 0;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Inotify.EINTR) {
                    throw new WatchException("poll on inotify fd failed: errno " + e.getErrorCode(), e);
                }
            }
        }
    }

    /**
     * Reads what is queued into the shared buffer, or returns null when nothing is.
     * The buffer stays valid until the next call.
     */
    ByteBuf read() throws WatchException {
        try {
            long n = libc.read(inotifyFd, bufferAddress, new NativeLong(BUFFER_SIZE)).longValue();
            buffer.setIndex(0, (int) n);
            return n > 0 ? buffer : null;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Inotify.EAGAIN || e.getErrorCode() == Inotify.EINTR) return null;
            throw new WatchException("read on inotify fd failed: errno " + e.getErrorCode(), e);
        }
    }

    void wakeUp() {
        byte[] one = {1, 0, 0, 0, 0, 0, 0, 0};
        try {
            libc.write(wakeFd, one, new NativeLong(8));
        } catch (LastErrorException e) {
            // EAGAIN: the counter is already non-zero, the reader will wake anyway.
        }
    }

    /** Resets the eventfd after a wake-up that was not a stop. */
    void clearWake() {
        try {
            libc.read(wakeFd, bufferAddress, new NativeLong(8));
        } catch (LastErrorException e) {
            // EAGAIN: already reset.
        }
    }

    /** Frees the fds and buffer; call only after the reader thread has finished. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        libc.close(inotifyFd);
        libc.close(wakeFd);
        buffer.release();
    }
}
