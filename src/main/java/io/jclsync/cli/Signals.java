package io.jclsync.cli;

import io.jclsync.daemon.Daemon;
import java.util.logging.Logger;
import sun.misc.Signal;

/**
 * SIGTERM/SIGINT stop cleanly, SIGHUP reloads the rules, SIGUSR1 forces a full resync. TERM and INT
 * are taken over from the JVM so the process exits with the daemon's own exit code after a clean stop.
 */
final class Signals {
    private static final Logger LOG = Logger.getLogger(Signals.class.getName());

    private Signals() {}

    static void install(Daemon daemon) {
        handle("TERM", () -> daemon.stop());
        handle("INT", () -> daemon.stop());
        handle("HUP", daemon::reloadRules);
        handle("USR1", daemon::forceFullSync);
    }

    private static void handle(String name, Runnable action) {
        try {
            Signal.handle(new Signal(name), s -> {
                Thread t = new Thread(action, "jclsync-signal-" + name.toLowerCase());
                t.setDaemon(true);
                t.start();
            });
        } catch (IllegalArgumentException e) {
            LOG.warning("cannot handle SIG" + name + " on this JVM: " + e.getMessage());
        }
    }
}
