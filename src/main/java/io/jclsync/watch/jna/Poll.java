package io.jclsync.watch.jna;

/** Layout of {@code struct pollfd { int fd; short events; short revents; }}. */
public final class Poll {
    private Poll() {}

    public static final int SIZE = 8;
    public static final int FD_OFFSET = 0;
    public static final int EVENTS_OFFSET = 4;
    public static final int REVENTS_OFFSET = 6;
}
