package io.jclsync.config;

import io.jclsync.batch.Delays;
import io.jclsync.filter.Rule;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Everything one jclsync process needs, validated by the CLI before the daemon sees it.
 *
 * @param watchDir         {@code -W}, absolute and normalised
 * @param destination      {@code -D}: a local dir or rsync remote; null only for the handler modes
 * @param syncHandler      {@code -S}: the rsync binary (rsyncdirect) or the user's handler
 * @param rulesFile        {@code -R}, or null; kept so SIGHUP can re-read it
 * @param rules            the parsed rules
 * @param timeoutSync      {@code -k}: kill a transfer after this long; zero for no limit
 * @param retries          {@code -r}: attempts after the first failure before giving up on a batch
 * @param ignoredExitCodes {@code -x} plus the defaults: exit codes that count as success
 * @param listsDir         {@code -L}, or null for a private temporary directory (one-way modes; -M cluster has none)
 * @param modificationSignature {@code --modification-signature}: stat fields a file must change in to be synced again, or null
 * @param metricsListen    {@code --metrics-listen}: where to serve Prometheus metrics, or null
 * @param parallelSyncs    how many independent batches may be synced at once ({@code -p safe}); 1: one at a time
 * @param versioning       what is kept of replaced and deleted files ({@code --versioning}, {@code --versions-dir})
 */
public record Config(
        Path watchDir,
        String destination,
        Mode mode,
        String syncHandler,
        Path rulesFile,
        List<Rule> rules,
        Delays delays,
        Duration timeoutSync,
        int retries,
        Set<Integer> ignoredExitCodes,
        Path listsDir,
        String label,
        Path statusFile,
        Path pidFile,
        boolean skipInitialSync,
        boolean onlyInitialSync,
        boolean exitOnNoEvents,
        boolean ignoreFailures,
        Lifecycle lifecycle,
        Mounts mounts,
        java.util.Set<io.jclsync.batch.ModificationSignature.Field> modificationSignature,
        java.net.InetSocketAddress metricsListen,
        ClusterConfig cluster,
        int parallelSyncs,
        Versioning versioning) {

    public Config {
        if (parallelSyncs < 1) throw new IllegalArgumentException("parallelSyncs " + parallelSyncs);
        if (versioning == null) throw new IllegalArgumentException("versioning: Versioning.NONE for none");
        rules = List.copyOf(rules);
        ignoredExitCodes = Set.copyOf(ignoredExitCodes);
    }
}
