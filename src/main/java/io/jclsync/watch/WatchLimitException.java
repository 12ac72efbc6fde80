package io.jclsync.watch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The kernel refused a watch or an inotify instance because a per-user limit is exhausted. */
public final class WatchLimitException extends WatchException {
    private WatchLimitException(String message) {
        super(message);
    }

    static WatchLimitException watches(Path dir, int watchesHeld) {
        String sysctl = "fs.inotify.max_user_watches";
        return new WatchLimitException("cannot watch " + dir + ": out of inotify watches (" + sysctl + " = "
                + currentValue("max_user_watches") + ", this process holds " + watchesHeld
                + "). Raise it: sysctl -w " + sysctl + "=524288, and make it permanent in /etc/sysctl.d/"
                + "90-jclsync.conf. Refusing to run a partial sync.");
    }

    static WatchLimitException instances() {
        String sysctl = "fs.inotify.max_user_instances";
        return new WatchLimitException("cannot create an inotify instance: too many (" + sysctl + " = "
                + currentValue("max_user_instances") + "). Raise it: sysctl -w " + sysctl + "=1024");
    }

    private static String currentValue(String name) {
        try {
            return Files.readString(Path.of("/proc/sys/fs/inotify", name)).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
