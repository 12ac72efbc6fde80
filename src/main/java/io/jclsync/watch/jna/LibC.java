package io.jclsync.watch.jna;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/** The libc calls the watcher needs. Every call throws {@link LastErrorException} with errno on failure. */
public interface LibC extends Library {

    /** Loads libc. Called lazily by the watcher, never from a static initialiser. */
    static LibC load() {
        return Native.load(Platform.C_LIBRARY_NAME, LibC.class);
    }

    int inotify_init1(int flags) throws LastErrorException;

    /** {@code pathname} is NUL-terminated raw bytes. */
    int inotify_add_watch(int fd, byte[] pathname, int mask) throws LastErrorException;

    int inotify_rm_watch(int fd, int wd) throws LastErrorException;

    int eventfd(int initval, int flags) throws LastErrorException;

    NativeLong read(int fd, Pointer buf, NativeLong count) throws LastErrorException;

    NativeLong write(int fd, byte[] buf, NativeLong count) throws LastErrorException;

    /** {@code fds} points at an array of {@code struct pollfd} (see {@link Poll}). */
    int poll(Pointer fds, NativeLong nfds, int timeout) throws LastErrorException;

    int close(int fd) throws LastErrorException;
}
