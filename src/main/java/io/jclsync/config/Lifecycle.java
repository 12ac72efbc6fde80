package io.jclsync.config;

import java.nio.file.Path;

/**
 * clsync's run-control options.
 *
 * @param standbyFile   {@code --standby-file}: no sync while this file exists (events keep queueing), or null
 * @param maxIterations {@code --max-iterations}: exit after this many syncs after the initial one (0: never)
 * @param preExitHook   {@code --pre-exit-hook}: run when stopping, before the last sync, or null
 * @param exitHook      {@code --exit-hook}: run last, with the exit code, or null
 * @param syncOnQuit    {@code --sync-on-quit}: on stop, sync what is queued at once instead of dropping it
 */
public record Lifecycle(Path standbyFile, int maxIterations, Path preExitHook, Path exitHook, boolean syncOnQuit) {
    public static final Lifecycle DEFAULT = new Lifecycle(null, 0, null, null, false);
}
