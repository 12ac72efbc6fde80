package io.jclsync.watch;

/** The watcher cannot do its job; the message names the path, the cause and the fix. */
public class WatchException extends Exception {
    public WatchException(String message) {
        super(message);
    }

    public WatchException(String message, Throwable cause) {
        super(message, cause);
    }
}
