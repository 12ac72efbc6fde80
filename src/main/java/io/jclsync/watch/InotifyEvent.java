package io.jclsync.watch;

import io.jclsync.watch.jna.Inotify;

/** One {@code struct inotify_event}; {@code name} is the raw name without NUL padding (empty for the dir itself). */
public record InotifyEvent(int wd, int mask, int cookie, byte[] name) {

    public boolean has(int bit) {
        return (mask & bit) != 0;
    }

    public boolean isDir() {
        return has(Inotify.IN_ISDIR);
    }
}
