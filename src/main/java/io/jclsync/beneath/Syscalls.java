package io.jclsync.beneath;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The *at() calls of libc, and openat2 through syscall(2) (glibc has no wrapper for it). Every call
 * throws {@link LastErrorException} with errno on failure. Paths are NUL-terminated raw bytes.
 */
interface Syscalls extends Library {
    Syscalls C = Native.load(Platform.C_LIBRARY_NAME, Syscalls.class);

    int AT_FDCWD = -100;
    int AT_SYMLINK_NOFOLLOW = 0x100;
    int AT_REMOVEDIR = 0x200;
    int AT_EMPTY_PATH = 0x1000;

    int O_RDONLY = 0;
    int O_WRONLY = 1;
    int O_CREAT = 0100;
    int O_EXCL = 0200;
    int O_NONBLOCK = 04000;
    int O_CLOEXEC = 02000000;
    /** O_DIRECTORY and O_NOFOLLOW differ between arm and x86; other architectures are refused ({@link Dir#root}). */
    int O_DIRECTORY = Platform.isARM() ? 040000 : 0200000;
    int O_NOFOLLOW = Platform.isARM() ? 0100000 : 0400000;

    long RESOLVE_NO_MAGICLINKS = 0x02;
    long RESOLVE_NO_SYMLINKS = 0x04;
    long RESOLVE_BENEATH = 0x08;
    /** The same number on every architecture (the unified syscall table, Linux 5.6). */
    long SYS_OPENAT2 = 437;

    int STATX_BASIC_STATS = 0x7ff;
    long UTIME_OMIT = (1L << 30) - 2;

    int EPERM = 1;
    int ENOENT = 2;
    int EEXIST = 17;
    int EXDEV = 18;
    int ENOTDIR = 20;
    int EISDIR = 21;
    int EINVAL = 22;
    int ENOSYS = 38;
    int ENOTEMPTY = 39;
    int ELOOP = 40;
    int E2BIG = 7;
    int EAGAIN = 11;
    int EOPNOTSUPP = 95;
    int RENAME_NOREPLACE = 1;

    /** {@code how} is struct open_how: flags, mode, resolve (three u64). */
    NativeLong syscall(NativeLong number, int dirfd, byte[] path, long[] how, NativeLong size) throws LastErrorException;

    int openat(int dirfd, byte[] path, int flags, int mode) throws LastErrorException;

    int mkdirat(int dirfd, byte[] path, int mode) throws LastErrorException;

    int unlinkat(int dirfd, byte[] path, int flags) throws LastErrorException;

    int renameat(int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath) throws LastErrorException;

    int renameat2(int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath, int flags) throws LastErrorException;

    /** flags 0: a symlink at {@code oldpath} is linked itself, not followed. */
    int linkat(int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath, int flags) throws LastErrorException;

    int symlinkat(byte[] target, int newdirfd, byte[] linkpath) throws LastErrorException;

    /** With AT_SYMLINK_NOFOLLOW glibc refuses a symlink (EOPNOTSUPP) and changes anything else. */
    int fchmodat(int dirfd, byte[] path, int mode, int flags) throws LastErrorException;

    int fchmod(int fd, int mode) throws LastErrorException;

    int fchownat(int dirfd, byte[] path, int uid, int gid, int flags) throws LastErrorException;

    /** {@code times}: atime seconds, nanoseconds, mtime seconds, nanoseconds. */
    int utimensat(int dirfd, byte[] path, long[] times, int flags) throws LastErrorException;

    int futimens(int fd, long[] times) throws LastErrorException;

    /** {@code buf}: 256 bytes, struct statx (the same layout on every architecture). */
    int statx(int dirfd, byte[] path, int flags, int mask, byte[] buf) throws LastErrorException;

    NativeLong read(int fd, Pointer buf, NativeLong count) throws LastErrorException;

    NativeLong write(int fd, Pointer buf, NativeLong count) throws LastErrorException;

    int fsync(int fd) throws LastErrorException;

    int close(int fd) throws LastErrorException;
}
