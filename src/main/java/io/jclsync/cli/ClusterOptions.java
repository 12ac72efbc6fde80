package io.jclsync.cli;

import io.jclsync.cluster.wire.WireCodec;
import io.jclsync.config.ClusterConfig;
import io.jclsync.config.ConfigException;
import io.jclsync.conflict.ConflictScope;
import io.jclsync.fs.RelPath;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options of {@code -M cluster}: where it is ({@link ClusterAddressOptions}), its state and conflicts. */
final class ClusterOptions {
    @Mixin
    ClusterAddressOptions address;

    @Option(names = "--transfer-port", paramLabel = "PORT", defaultValue = "8730",
            description = "Port on the cluster address where peers pull this node's files over TLS (default 8730).")
    int transferPort;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Where the node keeps its working files.")
    Path stateDir;

    @Option(names = "--tombstone-days", paramLabel = "DAYS", defaultValue = "30",
            description = "How long deletes are remembered (default 30). A node away longer may bring deleted files back.")
    int tombstoneDays;

    @Option(names = "--conflict-hook", paramLabel = "SCRIPT",
            description = "Decides which version of a conflicting path wins (JSON on stdin, answers a node name "
                    + "or keep-both; see README). Default: the newer mtime wins. The loser is always kept.")
    Path conflictHook;

    @Option(names = "--conflict-scope", paramLabel = "file|subtree:N", defaultValue = "file",
            description = "What a conflict is decided for: each path (file, the default), or each subtree N levels "
                    + "below the watch dir as a unit (subtree:1 when every top-level directory is a container).")
    String conflictScope;

    @Option(names = "--conflict-dir", paramLabel = "DIR", defaultValue = ".sync-conflicts",
            description = "Where losing subtrees are kept (--conflict-scope subtree:N), relative to the watch dir "
                    + "and synced like any files (default .sync-conflicts).")
    Path conflictDir;

    boolean used() {
        return address.used() || stateDir != null || conflictHook != null;
    }

    ClusterConfig toConfig() throws ConfigException {
        String clusterName = address.clusterName;
        String nodeName = address.nodeName;
        if (clusterName == null) throw new ConfigException("-M cluster needs --cluster-name");
        if (nodeName == null || !WireCodec.isNodeName(nodeName)) {
            throw new ConfigException("-M cluster needs --node-name: 1-64 of A-Z a-z 0-9 . _ -, unique in the cluster");
        }
        if (address.secretFile == null) throw new ConfigException("-M cluster needs --cluster-secret-file (mode 600, same on every node)");
        if (address.bind == null) throw new ConfigException("-M cluster needs --cluster-bind HOST:PORT (this node's address on the cluster network)");
        InetSocketAddress group = address.multicastGroup();
        if (stateDir == null) throw new ConfigException("-M cluster needs --state-dir (e.g. /var/lib/jclsync/" + clusterName + ")");
        if (transferPort < 1 || transferPort > 65535) throw new ConfigException("--transfer-port out of range");
        if (tombstoneDays < 1) throw new ConfigException("--tombstone-days must be at least 1");
        Path hook = null;
        if (conflictHook != null) {
            hook = conflictHook.toAbsolutePath().normalize();
            if (!Files.isRegularFile(hook) || !Files.isExecutable(hook)) {
                throw new ConfigException("--conflict-hook " + hook + " is not an executable file (chmod +x it?)");
            }
        }
        if (conflictDir.isAbsolute() || conflictDir.normalize().startsWith("..") || !conflictDir.normalize().equals(conflictDir)
                || conflictDir.toString().isEmpty()) {
            throw new ConfigException("--conflict-dir " + conflictDir + " must be a plain path relative to the watch dir, "
                    + "e.g. .sync-conflicts");
        }
        ConflictScope scope;
        try {
            scope = ConflictScope.parse(conflictScope, RelPath.of(conflictDir));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--conflict-scope " + e.getMessage());
        }
        Path state = stateDir.toAbsolutePath().normalize();
        return ClusterConfig.builder()
                .clusterName(clusterName)
                .nodeName(nodeName)
                .secretFile(address.secretFile.toAbsolutePath().normalize())
                .bind(address.bind)
                .peers(address.peers)
                .multicast(group)
                .transferPort(transferPort)
                .stateDir(state)
                .tombstoneTtl(Duration.ofDays(tombstoneDays))
                .conflictHook(hook)
                .conflictScopeDepth(scope.depth())
                .conflictDir(conflictDir)
                .linkDir(state)
                .build();
    }
}
