package io.jclsync.cli;

import io.jclsync.daemon.Daemon;
import io.jclsync.daemon.TreeHost;
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
        install(daemon::stop, daemon::reloadRules, daemon::forceFullSync);
    }

    /** For a {@code --ctl-socket} host: TERM/INT stop every tree, HUP and USR1 reach each. */
    static void install(TreeHost host) {
        install(host::stopAll, () -> host.forEach(Daemon::reloadRules), () -> host.forEach(Daemon::forceFullSync));
    }

    private static void install(Runnable stop, Runnable hup, Runnable usr1) {
        handle("TERM", stop);
        handle("INT", stop);
        handle("HUP", hup);
        handle("USR1", usr1);
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
