package io.jclsync.cli;

import io.jclsync.batch.Delays;
import io.jclsync.batch.ModificationSignature;
import io.jclsync.cluster.ClusterSecret;
import io.jclsync.cluster.PrivateFiles;
import io.jclsync.config.ClusterConfig;
import io.jclsync.config.Config;
import io.jclsync.config.ConfigException;
import io.jclsync.config.Lifecycle;
import io.jclsync.config.Mode;
import io.jclsync.config.Mounts;
import io.jclsync.config.RulesParser;
import io.jclsync.config.Versioning;
import io.jclsync.filter.Rule;
import io.jclsync.sync.Destination;
import io.jclsync.sync.ExitCodePolicy;
import io.jclsync.versions.VersioningPolicy;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/** The options of a one-way sync, with clsync's names, and their validation into a {@link Config}. */
final class SyncOptions {
    @Option(names = {"-W", "--watch-dir"}, paramLabel = "DIR", description = "Directory to watch and sync.")
    Path watchDir;

    @Option(names = {"-D", "--destination-dir"}, paramLabel = "DEST",
            description = "Where to sync to: a local directory, host:/path, or rsync://host/module/path.")
    String destination;

    @Option(names = {"-M", "--mode"}, paramLabel = "MODE", defaultValue = "rsyncdirect",
            converter = ModeConverter.class,
            description = "rsyncdirect (default), rsyncshell, shell, direct or cluster.")
    Mode mode;

    @Option(names = {"-S", "--sync-handler"}, paramLabel = "PATH",
            description = "rsync binary (rsyncdirect; default: rsync on PATH) or handler script (rsyncshell, shell).")
    String syncHandler;

    @Option(names = {"-R", "--rules-file"}, paramLabel = "FILE", description = "Include/exclude rules, clsync syntax.")
    Path rulesFile;

    @Option(names = {"-t", "--delay-collect"}, paramLabel = "SECONDS", defaultValue = "1",
            converter = DurationConverter.class, description = "Collect events this long before syncing (default 1).")
    Duration collect;

    @Option(names = "--settle", paramLabel = "SECONDS", defaultValue = "0.3", converter = DurationConverter.class,
            description = "Sync a batch as soon as no event came for this long, before -t is up (default 0.3).")
    Duration settle;

    @Option(names = {"-T", "--delay-collect-bigfile"}, paramLabel = "SECONDS", defaultValue = "30",
            converter = DurationConverter.class, description = "The same for big files (default 30).")
    Duration bigfileCollect;

    @Option(names = {"-B", "--threshold-bigfile"}, paramLabel = "BYTES", defaultValue = "128M",
            converter = SizeConverter.class, description = "Size from which a file is big (default 128M; K, M, G suffixes).")
    long bigfileThreshold;

    @Option(names = {"-w", "--delay-sync"}, paramLabel = "SECONDS", defaultValue = "0",
            converter = DurationConverter.class, description = "Minimum time between two syncs (default 0).")
    Duration betweenSyncs;

    @Option(names = {"-k", "--timeout-sync"}, paramLabel = "SECONDS", defaultValue = "86400",
            converter = DurationConverter.class, description = "Kill a sync running longer (0: never; default 86400).")
    Duration timeoutSync;

    @Option(names = {"-r", "--retries"}, paramLabel = "N", defaultValue = "3",
            description = "Retries of a failed sync, with exponential backoff (default 3).")
    int retries;

    @Option(names = {"-x", "--ignore-exitcode"}, paramLabel = "CODE", split = ",",
            description = "Exit codes counted as success, added to 24 (vanished files). Repeatable.")
    List<Integer> ignoreExitCodes = new ArrayList<>();

    @Option(names = {"-L", "--lists-dir"}, paramLabel = "DIR", description = "Where list files go (default: a private temp dir).")
    Path listsDir;

    @Option(names = {"-l", "--label"}, paramLabel = "NAME", defaultValue = "jclsync",
            description = "Name used in logs, list files and handler calls.")
    String label;

    @Option(names = "--status-file", paramLabel = "FILE",
            description = "Write the state here: starting, initsync, running, synchronizing, stopping.")
    Path statusFile;

    @Option(names = "--pid-file", paramLabel = "FILE", description = "Write the process id here.")
    Path pidFile;

    @Option(names = "--skip-initialsync", description = "Do not sync the whole tree at start.")
    boolean skipInitialSync;

    @Option(names = "--only-initialsync", description = "Sync the whole tree once and exit.")
    boolean onlyInitialSync;

    @Option(names = "--exit-on-no-events", description = "Exit once the initial sync is done and nothing is queued.")
    boolean exitOnNoEvents;

    @Option(names = "--standby-file", paramLabel = "FILE",
            description = "Pause syncing while this file exists (changes keep being collected).")
    Path standbyFile;

    @Option(names = "--max-iterations", paramLabel = "N", defaultValue = "0",
            description = "Exit after N syncs after the initial one (default 0: never).")
    int maxIterations;

    @Option(names = "--pre-exit-hook", paramLabel = "PATH",
            description = "Run when stopping, before the last sync: PATH LABEL WATCH_DIR EXIT_CODE.")
    Path preExitHook;

    @Option(names = "--exit-hook", paramLabel = "PATH",
            description = "Run last, once stopped: PATH LABEL WATCH_DIR EXIT_CODE.")
    Path exitHook;

    @Option(names = "--sync-on-quit", description = "On SIGTERM/SIGINT, sync what is queued before exiting.")
    boolean syncOnQuit;

    @Option(names = "--metrics-listen", paramLabel = "HOST:PORT", converter = HostPort.class,
            description = "Serve Prometheus metrics at http://HOST:PORT/metrics (e.g. 127.0.0.1:9731).")
    InetSocketAddress metricsListen;

    @Option(names = "--modification-signature", paramLabel = "FIELDS",
            description = "Sync a file again only if one of these stat fields changed, e.g. size,mtime "
                    + "(dev, ino, mode, uid, gid, nlink, size, mtime, ctime, atime, or *).")
    String modificationSignature;

    @Option(names = "--one-file-system", description = "Leave out file systems mounted inside the tree.")
    boolean oneFileSystem;

    @Option(names = "--exclude-mount-points", description = "Leave out every mount point inside the tree, bind mounts too.")
    boolean excludeMountPoints;

    @Option(names = "--ctl-socket", paramLabel = "PATH",
            description = "Serve many trees in this process, added and removed at runtime with jclsync ctl over this "
                    + "unix socket (mode 600); -D and --status-file then hold %n for each tree's name.")
    Path ctlSocket;

    @Option(names = "--ctl-trees", paramLabel = "FILE",
            description = "Where a --ctl-socket host keeps the trees added with jclsync ctl, to start them again after "
                    + "a restart (default: the socket's path + .trees; put it on persistent storage to survive reboots).")
    Path ctlTrees;

    @Option(names = {"-p", "--threading"}, paramLabel = "off|safe", defaultValue = "off",
            description = "safe: sync independent batches (no path of one is, or is inside, a path of another) in "
                    + "parallel, up to --threads at once, e.g. for a slow remote; off (default): one at a time.")
    String threading;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "4",
            description = "With -p safe: how many batches may be synced at once (default 4).")
    int threads;

    @Option(names = "--versioning", paramLabel = "none|trash[:DAYS]|simple:N|staggered[:DAYS]",
            description = "Keep what a sync replaces or deletes, renamed into --versions-dir: trash keeps every version "
                    + "DAYS days (default 30), simple:N the newest N per path, staggered thins them with age like Syncthing "
                    + "(one per hour for a day, per day for a month, per week to DAYS, default 365). Default: trash with "
                    + "-M cluster, none in one-way modes. See jclsync versions.")
    String versioning;

    @Option(names = "--versions-dir", paramLabel = "DIR",
            description = "Where versions are kept, outside the tree (default with -M cluster: STATE_DIR/versions). One-way "
                    + "to a local destination: a dir on its file system; to a remote one: rsync's --backup-dir there "
                    + "(absolute, or ../DIR relative to the destination).")
    String versionsDir;

    @Option(names = "--ignore-failures", description = "Keep running when a sync fails for good; its paths are retried later.")
    boolean ignoreFailures;

    Config toConfig(ClusterOptions clusterOptions) throws ConfigException {
        return toConfig(clusterOptions, watchDir, null);
    }

    /**
     * The config of tree {@code tree} of a {@code --ctl-socket} host: these options with its watch
     * dir, {@code %n} in -D and --status-file replaced by its name, and its name as the label.
     */
    Config toTreeConfig(ClusterOptions clusterOptions, String tree, Path dir) throws ConfigException {
        checkHostOptions();
        if (dir == null) throw new ConfigException("usage: add NAME DIR (or add NAME -K BLOCK, a config block with a watch-dir)");
        return toConfig(clusterOptions, dir, tree);
    }

    /**
     * The config of tree {@code tree} of a {@code --ctl-socket} host configured by a config block
     * of its own (these options): {@code dir}, or the block's -W, as its watch dir.
     */
    Config toBlockTreeConfig(ClusterOptions clusterOptions, String tree, Path dir) throws ConfigException {
        if (ctlSocket != null) throw new ConfigException("a tree's config block cannot hold ctl-socket (that is the host's)");
        if (dir == null && watchDir == null) {
            throw new ConfigException("the tree's config block has no watch-dir: give the tree's DIR to jclsync ctl add");
        }
        return toConfig(clusterOptions, dir != null ? dir : watchDir, tree);
    }

    /** What a {@code --ctl-socket} host needs of the options every tree shares. */
    void checkHostOptions() throws ConfigException {
        if (destination != null && !destination.contains("%n")) {
            throw new ConfigException("with --ctl-socket, -D must hold %n (the tree's name), e.g. backup:/trees/%n");
        }
        if (pidFile != null && pidFile.toString().contains("%n")) throw new ConfigException("--pid-file is the host's: no %n");
    }

    private Config toConfig(ClusterOptions clusterOptions, Path watchDir, String tree) throws ConfigException {
        String destination = tree == null || this.destination == null ? this.destination : this.destination.replace("%n", tree);
        Path statusFile = tree == null || this.statusFile == null ? this.statusFile
                : Path.of(this.statusFile.toString().replace("%n", tree));
        String label = tree == null ? this.label : tree;
        Path pidFile = tree == null ? this.pidFile : null;
        InetSocketAddress metricsListen = tree == null ? this.metricsListen : null;
        if (watchDir == null) throw new ConfigException("missing -W/--watch-dir: the directory to watch");
        Path watch = watchDir.toAbsolutePath().normalize();
        if (!Files.exists(watch)) throw new ConfigException("watch dir " + watch + " does not exist (create it or fix -W)");
        if (!Files.isDirectory(watch)) throw new ConfigException("watch dir " + watch + " is not a directory (fix -W)");
        if (!Files.isReadable(watch) || !Files.isExecutable(watch)) {
            throw new ConfigException("watch dir " + watch + " is not readable by this user (fix its permissions)");
        }
        if (skipInitialSync && onlyInitialSync) {
            throw new ConfigException("--skip-initialsync and --only-initialsync contradict each other: pick one");
        }
        for (Duration d : List.of(collect, bigfileCollect, betweenSyncs, timeoutSync, settle)) {
            if (d.isNegative()) throw new ConfigException("delays and timeouts cannot be negative");
        }
        if (retries < 0) throw new ConfigException("-r/--retries cannot be negative");
        if (maxIterations < 0) throw new ConfigException("--max-iterations cannot be negative");
        for (Path hook : new Path[] {preExitHook, exitHook}) {
            if (hook != null && (!Files.isRegularFile(hook) || !Files.isExecutable(hook))) {
                throw new ConfigException("hook " + hook + " is not an executable file (chmod +x it?)");
            }
        }
        Lifecycle lifecycle = new Lifecycle(absolute(standbyFile), maxIterations,
                absolute(preExitHook), absolute(exitHook), syncOnQuit);
        String handler = checkModeAndHandler(destination);
        Set<ModificationSignature.Field> signature = null;
        if (modificationSignature != null) {
            try {
                signature = ModificationSignature.parse(modificationSignature);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--modification-signature: " + e.getMessage());
            }
        }
        ClusterConfig cluster = null;
        if (mode == Mode.CLUSTER) {
            if (listsDir != null) {
                throw new ConfigException("-L/--lists-dir: -M cluster writes no list files but its pulls', which go to the "
                        + "node's private staging dir (WATCH_DIR/.jclsync/incoming, 0700): drop -L");
            }
            if (skipInitialSync || onlyInitialSync) {
                throw new ConfigException("-M cluster always scans the tree at start (to find what changed while it was "
                        + "down) and then keeps running: drop --skip-initialsync/--only-initialsync");
            }
            cluster = clusterOptions.toConfig();
            ClusterSecret.read(cluster.secretFile()); // a bad secret file stops us here, exit 2
            // In a host each tree is a replicated tree of its own (its id includes its name), its state in STATE_DIR/trees/NAME.
            if (tree != null) cluster = cluster.forTree(tree);
            if (cluster.linkDir().startsWith(watch) || watch.startsWith(cluster.linkDir())) {
                throw new ConfigException("--state-dir " + cluster.linkDir() + " and the watch dir " + watch
                        + " overlap: put the state dir elsewhere");
            }
            try { // a state dir others can write stops us here too, exit 2
                PrivateFiles.checkStateDir(cluster.linkDir());
                PrivateFiles.checkStateDir(cluster.stateDir());
            } catch (IOException e) {
                throw new ConfigException("cannot check --state-dir " + cluster.stateDir() + ": " + e.getMessage());
            }
        } else if (clusterOptions.used()) {
            throw new ConfigException("--cluster-* options need -M cluster");
        }
        checkDestination(watch, destination);
        Versioning versioning = versioning(watch, destination, cluster, tree);
        List<Rule> rules = rulesFile == null ? List.of() : RulesParser.parse(rulesFile);
        Set<Integer> ignored = new HashSet<>(ExitCodePolicy.DEFAULT_IGNORED);
        ignored.addAll(ignoreExitCodes);
        Delays delays = new Delays(collect, bigfileCollect, bigfileThreshold, betweenSyncs, Delays.DEFAULT_FOLD_THRESHOLD,
                settle);
        return Config.builder()
                .watchDir(watch)
                .destination(destination)
                .mode(mode)
                .syncHandler(handler)
                .rulesFile(rulesFile)
                .rules(rules)
                .delays(delays)
                .timeoutSync(timeoutSync)
                .retries(retries)
                .ignoredExitCodes(ignored)
                .listsDir(listsDir == null ? null : listsDir.toAbsolutePath().normalize())
                .label(label)
                .statusFile(absolute(statusFile))
                .pidFile(absolute(pidFile))
                .skipInitialSync(skipInitialSync)
                .onlyInitialSync(onlyInitialSync)
                .exitOnNoEvents(exitOnNoEvents)
                .ignoreFailures(ignoreFailures)
                .lifecycle(lifecycle)
                .mounts(excludeMountPoints ? Mounts.EXCLUDE_ALL : oneFileSystem ? Mounts.ONE_FILE_SYSTEM : Mounts.CROSS)
                .modificationSignature(signature)
                .metricsListen(metricsListen)
                .cluster(cluster)
                .parallelSyncs(parallelSyncs())
                .versioning(versioning)
                .build();
    }

    /** {@code --versioning} and {@code --versions-dir}, checked for the mode and destination. */
    private Versioning versioning(Path watch, String destination, ClusterConfig cluster, String tree) throws ConfigException {
        VersioningPolicy policy;
        try {
            policy = versioning != null ? VersioningPolicy.parse(versioning)
                    : mode == Mode.CLUSTER ? new VersioningPolicy.Trash(VersioningPolicy.DEFAULT_TRASH_DAYS)
                    : new VersioningPolicy.None();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--versioning " + e.getMessage());
        }
        String dirOption = tree == null || versionsDir == null ? versionsDir : versionsDir.replace("%n", tree);
        if (!policy.keeps()) {
            if (dirOption != null) throw new ConfigException("--versions-dir without versioning: drop it, or add --versioning");
            return Versioning.NONE;
        }
        if (mode == Mode.RSYNCSHELL || mode == Mode.SHELL) {
            throw new ConfigException("--versioning: " + mode.cliName() + " hands each change to your script, which "
                    + "decides what to keep; drop --versioning");
        }
        Destination dest = destination == null ? null : Destination.parse(destination);
        if (dest != null && !dest.isLocal()) {
            if (dirOption == null || !(dirOption.startsWith("/") || dirOption.startsWith("../"))) {
                throw new ConfigException("--versioning to the remote " + destination + " keeps versions there: give "
                        + "--versions-dir as rsync's --backup-dir on the remote, absolute or ../DIR (relative to the "
                        + "destination, outside it; an rsync daemon module must contain it)");
            }
            if (!(policy instanceof VersioningPolicy.Trash)) {
                throw new ConfigException("--versioning " + policy.describe() + " thins out versions jclsync can read; "
                        + "a remote destination keeps them on the remote: use --versioning trash there and expire them "
                        + "on the remote (README, Versions)");
            }
            return new Versioning(policy, dirOption, true);
        }
        Path dir;
        if (dirOption != null) {
            dir = Path.of(dirOption).toAbsolutePath().normalize();
        } else if (cluster != null) {
            dir = cluster.stateDir().resolve("versions");
        } else {
            throw new ConfigException("--versioning needs --versions-dir in " + mode.cliName() + " mode (it has no state "
                    + "dir): a dir outside the watch dir and the destination, on the destination's file system so that "
                    + "versions are renamed, not copied");
        }
        if (dir.startsWith(watch) || watch.startsWith(dir)) {
            throw new ConfigException("--versions-dir " + dir + " and the watch dir " + watch + " overlap: versions would "
                    + "be synced; put them elsewhere");
        }
        if (dest != null && (dir.startsWith(dest.localDir()) || dest.localDir().startsWith(dir))) {
            throw new ConfigException("--versions-dir " + dir + " and the destination " + dest.localDir() + " overlap: "
                    + "put the versions next to it, not in it");
        }
        if (Files.isSymbolicLink(dir)) {
            throw new ConfigException("--versions-dir " + dir + " is a symlink: give the directory it leads to");
        }
        return new Versioning(policy, dir.toString(), false);
    }

    private int parallelSyncs() throws ConfigException {
        switch (threading) {
            case "off" -> {
                return 1;
            }
            case "safe" -> {
                if (mode == Mode.CLUSTER) {
                    throw new ConfigException("-p safe: -M cluster announces its batches in order, one at a time; drop -p");
                }
                if (threads < 1 || threads > 64) throw new ConfigException("--threads must be from 1 to 64");
                return threads;
            }
            case "full" -> throw new ConfigException("-p full: jclsync never syncs one path in two batches at once; "
                    + "-p safe runs the independent batches in parallel");
            default -> throw new ConfigException("-p/--threading '" + threading + "': expected off or safe");
        }
    }

    private static Path absolute(Path p) {
        return p == null ? null : p.toAbsolutePath().normalize();
    }

    private String checkModeAndHandler(String destination) throws ConfigException {
        switch (mode) {
            case RSYNCDIRECT -> {
                String rsync = syncHandler != null ? syncHandler : "rsync";
                if (findExecutable(rsync) == null) {
                    throw new ConfigException("rsync not found" + (syncHandler != null ? " at " + syncHandler : " on PATH")
                            + ": install it (apt-get install rsync) or give its path with -S");
                }
                if (destination == null) throw new ConfigException("rsyncdirect needs -D/--destination-dir");
                return rsync;
            }
            case RSYNCSHELL, SHELL -> {
                if (syncHandler == null) throw new ConfigException(mode.cliName() + " needs -S/--sync-handler: the script to run");
                if (findExecutable(syncHandler) == null) {
                    throw new ConfigException("sync handler " + syncHandler + " is not an executable file (chmod +x it or fix -S)");
                }
                return syncHandler;
            }
            case CLUSTER -> {
                if (destination != null) throw new ConfigException("-M cluster syncs the watch dir itself between nodes: drop -D");
                if (findExecutable("rsync") == null) {
                    throw new ConfigException("rsync not found on PATH: cluster mode serves and pulls files with it "
                            + "(apt-get install rsync)");
                }
                return "rsync";
            }
            case DIRECT -> {
                if (destination == null) throw new ConfigException("direct needs -D/--destination-dir");
                if (!Destination.parse(destination).isLocal()) {
                    throw new ConfigException("direct mode copies locally only; use -M rsyncdirect for " + destination);
                }
                return null;
            }
            default -> throw new IllegalStateException(mode.toString());
        }
    }

    private static void checkDestination(Path watch, String destination) throws ConfigException {
        if (destination == null) return;
        Destination dest = Destination.parse(destination);
        if (!dest.isLocal()) return;
        Path d = dest.localDir();
        if (!Files.isDirectory(d)) {
            throw new ConfigException("destination dir " + d + " does not exist or is not a directory (create it: mkdir -p " + d + ")");
        }
        if (d.startsWith(watch) || watch.startsWith(d)) {
            throw new ConfigException("destination " + d + " and watch dir " + watch + " overlap: syncing would loop");
        }
    }

    /** The executable for a command name (searched on PATH) or path, or null. */
    static Path findExecutable(String command) {
        if (command.contains("/")) {
            Path p = Path.of(command);
            return Files.isRegularFile(p) && Files.isExecutable(p) ? p : null;
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, command);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
        }
        return null;
    }
}
