package io.jclsync.cli;

import io.jclsync.config.ConfigException;
import io.jclsync.fs.PathBytes;
import io.jclsync.fs.RelPath;
import io.jclsync.versions.Version;
import io.jclsync.versions.VersionStore;
import io.jclsync.versions.VersioningPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jclsync versions list|restore}: what {@code --versioning} kept, and getting it back. */
@Command(name = "versions", mixinStandardHelpOptions = true,
        subcommands = {VersionsCommand.ListVersions.class, VersionsCommand.Restore.class},
        description = "List the old versions --versioning kept (versions list [PATH]) or restore one "
                + "(versions restore PATH [--at TIME] [--to DEST]).")
final class VersionsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws ConfigException {
        throw new ConfigException("versions: say list or restore (jclsync versions --help)");
    }

    /** Where the versions are: the daemon's --versions-dir, or a cluster node's --state-dir (its versions/). */
    static final class Store {
        static final class Where {
            @Option(names = "--versions-dir", paramLabel = "DIR", description = "The --versions-dir jclsync keeps them in.")
            Path versionsDir;

            @Option(names = "--state-dir", paramLabel = "DIR", description = "A cluster node's --state-dir (versions in DIR/versions).")
            Path stateDir;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        Where where;

        VersionStore open() throws ConfigException {
            Path dir = where.versionsDir != null ? where.versionsDir : where.stateDir.resolve("versions");
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new ConfigException("no versions dir at " + dir + ": is that the --versions-dir (or --state-dir) "
                        + "jclsync runs with, and has it kept anything yet?");
            }
            try {
                // Thinning is the daemon's: keeping the file a restore replaces must remove nothing.
                return VersionStore.open(dir, new VersioningPolicy.Trash(VersioningPolicy.DEFAULT_TRASH_DAYS),
                        Clock.systemUTC());
            } catch (IOException e) {
                throw new ConfigException(e.getMessage());
            }
        }
    }

    static RelPath relPath(String path, Path tree) throws ConfigException {
        Path p = Path.of(path);
        if (p.isAbsolute()) {
            if (tree == null || !p.normalize().startsWith(tree.toAbsolutePath().normalize())) {
                throw new ConfigException("PATH " + path + " is absolute: give it relative to the tree (or inside -W)");
            }
            p = tree.toAbsolutePath().normalize().relativize(p.normalize());
        }
        try {
            return RelPath.of(PathBytes.of(p));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("PATH " + path + ": " + e.getMessage());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "One line per kept version, oldest first per path: TIME (UTC) SIZE PATH.")
    static final class ListVersions implements Callable<Integer> {
        @Mixin
        Store store;

        @Parameters(index = "0", arity = "0..1", paramLabel = "PATH", description = "A file or directory of the tree (default: all).")
        String path;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws ConfigException {
            VersionStore s = store.open();
            PrintWriter out = spec.commandLine().getOut();
            try {
                for (Version v : s.list(path == null ? null : relPath(path, null))) {
                    out.printf("%s %12d %s%n", VersionStore.stamp(v.time()), v.size(), v.path());
                }
            } catch (IOException e) {
                spec.commandLine().getErr().println("jclsync: error: cannot list " + s.dir() + ": " + e.getMessage());
                return 1;
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Write a kept version back, atomically (temp file + rename); the file it replaces is kept as a "
                    + "version first. In a cluster tree this is a local change like any other, so it syncs everywhere.")
    static final class Restore implements Callable<Integer> {
        @Mixin
        Store store;

        @Parameters(index = "0", paramLabel = "PATH", description = "The file's path in the tree.")
        String path;

        @Option(names = {"-W", "--watch-dir"}, paramLabel = "DIR",
                description = "The tree to restore into, at PATH (the watch dir: in one-way mode the change then syncs "
                        + "to the destination).")
        Path tree;

        @Option(names = "--at", paramLabel = "TIME",
                description = "The version kept at TIME or the last one before it (YYYYMMDD-HHMMSS.mmm as listed, or "
                        + "ISO-8601 like 2026-03-01T12:00:00Z); default: the newest.")
        String at;

        @Option(names = "--to", paramLabel = "DEST", description = "Write it to DEST (a new path) instead of the tree.")
        Path to;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws ConfigException {
            RelPath rel = relPath(path, tree);
            Instant time = null;
            if (at != null) {
                try {
                    time = VersionStore.parseStamp(at);
                } catch (DateTimeParseException e) {
                    throw new ConfigException("--at " + at + ": not a time; use YYYYMMDD-HHMMSS.mmm (UTC, as versions "
                            + "list prints it) or ISO-8601 such as 2026-03-01T12:00:00Z");
                }
            }
            Path target;
            if (to != null) {
                target = to.toAbsolutePath().normalize();
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw new ConfigException("--to " + target + " exists: give a new path, or restore into the tree "
                            + "with -W (the file there is kept as a version)");
                }
            } else if (tree != null) {
                if (!Files.isDirectory(tree)) throw new ConfigException("-W " + tree + " is not a directory");
                target = PathBytes.child(tree.toAbsolutePath().normalize(), rel.bytes());
            } else {
                throw new ConfigException("restore needs -W DIR (the tree, to put PATH back in place) or --to DEST");
            }
            VersionStore s = store.open();
            try {
                Version v = s.restore(rel, time, target);
                spec.commandLine().getOut().printf("restored %s kept at %s (%d bytes) to %s%n", v.path(),
                        VersionStore.stamp(v.time()), v.size(), PathBytes.display(target));
                spec.commandLine().getOut().flush();
                return 0;
            } catch (IOException e) {
                spec.commandLine().getErr().println("jclsync: error: " + e.getMessage());
                return 1;
            }
        }
    }
}
