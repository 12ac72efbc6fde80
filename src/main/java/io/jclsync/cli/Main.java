package io.jclsync.cli;

import io.jclsync.config.Config;
import io.jclsync.config.ConfigException;
import io.jclsync.daemon.Daemon;
import io.jclsync.daemon.HeapGuard;
import io.jclsync.daemon.TreeHost;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jclsync}: watch a directory and keep a copy in sync. */
@Command(name = "jclsync", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        subcommands = {DemoCommand.class, MembersCommand.class, StatusCommand.class, CtlCommand.class,
                VersionsCommand.class},
        description = "Live sync of a directory tree: inotify, batches, rsync.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:clean stop", "1:sync or watch failure", "2:bad options, configuration or rules"})
public final class Main implements Callable<Integer> {
    public static final int EXIT_USAGE = 2;

    @Mixin
    Verbosity verbosity;

    @Mixin
    SyncOptions options;

    @Mixin
    ClusterOptions clusterOptions;

    @ArgGroup(exclusive = false, heading = "%nclsync options not implemented yet (they fail rather than being ignored):%n")
    NotImplemented notImplemented;

    /** Read by {@link ConfigArgs} before parsing; here so that picocli accepts and documents them. */
    @Option(names = {"-H", "--config-file"}, paramLabel = "FILE",
            description = "Config file with [blocks] of key = value (long option names); default "
                    + "~/.jclsync.conf, then /etc/jclsync/jclsync.conf. Command-line options override it.")
    String configFile;

    @Option(names = {"-K", "--config-block"}, paramLabel = "NAME",
            description = "The block of the config file to use (default: [default]).")
    String configBlock;

    public static void main(String[] args) {
        HeapGuard.install();
        String[] expanded;
        try {
            expanded = ConfigArgs.expand(args);
        } catch (ConfigException e) {
            System.err.println("jclsync: error: " + e.getMessage());
            System.exit(EXIT_USAGE);
            return;
        }
        System.exit(commandLine().execute(expanded));
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        // A cluster or label called "demo" or "status" is an option value, not a subcommand.
        cl.setAllowSubcommandsAsOptionParameters(true);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigException) {
                commandLine.getErr().println("jclsync: error: " + e.getMessage());
                return EXIT_USAGE;
            }
            throw e;
        });
        return cl;
    }

    @Override
    public Integer call() throws ConfigException {
        verbosity.apply();
        if (notImplemented != null) notImplemented.reject();
        if (options.ctlSocket != null) return host();
        Daemon daemon = new Daemon(options.toConfig(clusterOptions));
        Signals.install(daemon);
        return daemon.run();
    }

    /** {@code --ctl-socket}: many trees in this process; -W (if given) is the first, named by -l. */
    private int host() throws ConfigException {
        Path socket = options.ctlSocket.toAbsolutePath();
        Path treesFile = options.ctlTrees != null ? options.ctlTrees.toAbsolutePath()
                : socket.resolveSibling(socket.getFileName() + ".trees");
        TreeHost host = new TreeHost(spec -> spec.block() == null
                ? options.toTreeConfig(clusterOptions, spec.name(), spec.dir()) : blockTreeConfig(spec), treesFile);
        options.checkHostOptions(); // a mistake in the shared options is a usage error before anything starts
        TreeHost.prepareSocketDir(socket);
        Signals.install(host);
        try {
            if (options.watchDir != null) host.add(options.label, options.watchDir, false);
            // (a ConfigException here, e.g. a missing -W dir, is a usage error: exit 2)
            host.restore();
        } catch (InterruptedException e) {
            return 0;
        } catch (IOException e) {
            throw new ConfigException("cannot read the trees file " + treesFile + ": " + e.getMessage());
        }
        return host.run(socket);
    }

    /**
     * The config of a host's tree added with a config block ({@code jclsync ctl add NAME [DIR] -K
     * BLOCK}): that block of the host's config file (and the blocks it inherits) alone, as if it were
     * {@code jclsync -K BLOCK}, with DIR (if given) as its watch dir and the tree's name for %n.
     */
    private Config blockTreeConfig(TreeHost.Spec spec) throws ConfigException {
        List<String> args = new ArrayList<>();
        if (configFile != null) args.addAll(List.of("-H", configFile));
        args.addAll(List.of("-K", spec.block()));
        Main tree = new Main();
        try {
            new CommandLine(tree).parseArgs(ConfigArgs.expand(args.toArray(String[]::new)));
        } catch (CommandLine.ParameterException e) {
            throw new ConfigException("config block [" + spec.block() + "]: " + e.getMessage());
        }
        return tree.options.toBlockTreeConfig(tree.clusterOptions, spec.name(), spec.dir());
    }

    /** clsync options recognised but not supported yet. */
    static final class NotImplemented {
        @Option(names = {"-b", "--background"}) boolean background;

        void reject() throws ConfigException {
            List<String> used = new ArrayList<>();
            if (background) used.add("--background (run it under systemd instead)");
            throw new ConfigException("not implemented in jclsync yet: " + String.join(", ", used)
                    + "; see README (\"clsync options\") for what to use instead");
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"jclsync " + (v != null ? v : "(development build)")};
        }
    }
}
