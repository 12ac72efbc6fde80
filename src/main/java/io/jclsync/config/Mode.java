package io.jclsync.config;

import java.util.Locale;

/** How batches reach the destination; the names are clsync's. */
public enum Mode {
    /** One rsync per batch, run by jclsync ({@code -S} is the rsync binary). */
    RSYNCDIRECT,
    /** The {@code -S} handler gets a list file per batch. */
    RSYNCSHELL,
    /** The {@code -S} handler gets the batch's paths as arguments. */
    SHELL,
    /** Copy and remove inside jclsync; local destinations only. */
    DIRECT,
    /** Every node a peer: changes announced over JGroups, pulled with rsync. */
    CLUSTER;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
