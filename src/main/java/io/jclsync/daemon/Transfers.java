package io.jclsync.daemon;

import io.jclsync.config.Config;
import io.jclsync.filter.Filter;
import io.jclsync.sync.Destination;
import io.jclsync.sync.DirectTransfer;
import io.jclsync.sync.ExitCodePolicy;
import io.jclsync.sync.HandlerTransfer;
import io.jclsync.sync.ListsDir;
import io.jclsync.sync.RsyncTransfer;
import io.jclsync.transfer.Transfer;
import io.jclsync.versions.VersionStore;
import java.time.Clock;
import java.util.function.Supplier;

/** Picks the transfer for the configured mode. */
final class Transfers {
    private Transfers() {}

    /** @param versions the local versions store (versioning at a local destination), or null */
    static Transfer create(Config c, Supplier<Filter> filter, ListsDir lists, VersionStore versions) {
        Destination dest = c.destination() == null ? null : Destination.parse(c.destination());
        ExitCodePolicy policy = new ExitCodePolicy(c.ignoredExitCodes());
        String remoteVersions = c.versioning().keeps() && c.versioning().remote() ? c.versioning().dir() : null;
        return switch (c.mode()) {
            case RSYNCDIRECT -> new RsyncTransfer(c.watchDir(), dest, c.syncHandler(), filter, lists,
                    c.timeoutSync(), policy, versions, remoteVersions, Clock.systemUTC());
            case RSYNCSHELL -> new HandlerTransfer(HandlerTransfer.Style.RSYNCSHELL, c.watchDir(), c.syncHandler(),
                    c.label(), dest, filter, lists, c.timeoutSync(), policy);
            case SHELL -> new HandlerTransfer(HandlerTransfer.Style.SHELL, c.watchDir(), c.syncHandler(),
                    c.label(), dest, filter, lists, c.timeoutSync(), policy);
            case DIRECT -> new DirectTransfer(c.watchDir(), dest.localDir(), filter, versions);
            case CLUSTER -> throw new IllegalStateException("cluster mode's transfer comes from its ReplicaNode");
        };
    }
}
