package io.jclsync.config;

import io.jclsync.batch.Delays;
import io.jclsync.batch.ModificationSignature;
import io.jclsync.filter.Rule;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Everything one jclsync process needs, validated by the CLI before the daemon sees it. Built with
 * {@link #builder()}: a component not set is null, false or 0, except those the builder names a default for.
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
        Set<ModificationSignature.Field> modificationSignature,
        InetSocketAddress metricsListen,
        ClusterConfig cluster,
        int parallelSyncs,
        Versioning versioning) {

    public Config {
        if (parallelSyncs < 1) throw new IllegalArgumentException("parallelSyncs " + parallelSyncs);
        if (versioning == null) throw new IllegalArgumentException("versioning: Versioning.NONE for none");
        rules = List.copyOf(rules);
        ignoredExitCodes = Set.copyOf(ignoredExitCodes);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Names each component; {@link #build()} runs the record's checks. */
    public static final class Builder {
        private Path watchDir;
        private String destination;
        private Mode mode;
        private String syncHandler;
        private Path rulesFile;
        private List<Rule> rules = List.of();
        private Delays delays;
        private Duration timeoutSync;
        private int retries;
        private Set<Integer> ignoredExitCodes;
        private Path listsDir;
        private String label;
        private Path statusFile;
        private Path pidFile;
        private boolean skipInitialSync;
        private boolean onlyInitialSync;
        private boolean exitOnNoEvents;
        private boolean ignoreFailures;
        private Lifecycle lifecycle = Lifecycle.DEFAULT;
        private Mounts mounts = Mounts.CROSS;
        private Set<ModificationSignature.Field> modificationSignature;
        private InetSocketAddress metricsListen;
        private ClusterConfig cluster;
        private int parallelSyncs = 1;
        private Versioning versioning = Versioning.NONE;

        private Builder() {}

        public Builder watchDir(Path v) { watchDir = v; return this; }
        public Builder destination(String v) { destination = v; return this; }
        public Builder mode(Mode v) { mode = v; return this; }
        public Builder syncHandler(String v) { syncHandler = v; return this; }
        public Builder rulesFile(Path v) { rulesFile = v; return this; }
        public Builder rules(List<Rule> v) { rules = v; return this; }
        public Builder delays(Delays v) { delays = v; return this; }
        public Builder timeoutSync(Duration v) { timeoutSync = v; return this; }
        public Builder retries(int v) { retries = v; return this; }
        public Builder ignoredExitCodes(Set<Integer> v) { ignoredExitCodes = v; return this; }
        public Builder listsDir(Path v) { listsDir = v; return this; }
        public Builder label(String v) { label = v; return this; }
        public Builder statusFile(Path v) { statusFile = v; return this; }
        public Builder pidFile(Path v) { pidFile = v; return this; }
        public Builder skipInitialSync(boolean v) { skipInitialSync = v; return this; }
        public Builder onlyInitialSync(boolean v) { onlyInitialSync = v; return this; }
        public Builder exitOnNoEvents(boolean v) { exitOnNoEvents = v; return this; }
        public Builder ignoreFailures(boolean v) { ignoreFailures = v; return this; }
        public Builder lifecycle(Lifecycle v) { lifecycle = v; return this; }
        public Builder mounts(Mounts v) { mounts = v; return this; }
        public Builder modificationSignature(Set<ModificationSignature.Field> v) { modificationSignature = v; return this; }
        public Builder metricsListen(InetSocketAddress v) { metricsListen = v; return this; }
        public Builder cluster(ClusterConfig v) { cluster = v; return this; }
        public Builder parallelSyncs(int v) { parallelSyncs = v; return this; }
        public Builder versioning(Versioning v) { versioning = v; return this; }

        public Config build() {
            return new Config(watchDir, destination, mode, syncHandler, rulesFile, rules, delays, timeoutSync, retries,
                    ignoredExitCodes, listsDir, label, statusFile, pidFile, skipInitialSync, onlyInitialSync,
                    exitOnNoEvents, ignoreFailures, lifecycle, mounts, modificationSignature, metricsListen, cluster,
                    parallelSyncs, versioning);
        }
    }
}
