package io.jclsync.cli;

import io.jclsync.config.ClusterConfig;
import io.jclsync.config.ConfigException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options of {@code -M cluster}. */
final class ClusterOptions {
    @Option(names = "--cluster-name", paramLabel = "NAME", description = "Cluster to join (-M cluster).")
    String clusterName;

    @Option(names = "--node-name", paramLabel = "NAME", description = "This node's unique name (-M cluster).")
    String nodeName;

    @Option(names = "--cluster-secret-file", paramLabel = "FILE", description = "The secret every node shares (mode 600); while changing it, two lines: "
                    + "the secret in use, then another also accepted (SECURITY.md).")
    Path secretFile;

    @Option(names = "--cluster-bind", paramLabel = "HOST:PORT", converter = HostPort.class,
            description = "This node's cluster address: the interface and port it listens on (TCP or UDP).")
    InetSocketAddress bind;

    @Option(names = "--cluster-peers", split = ",", paramLabel = "HOST:PORT", converter = HostPort.class,
            description = "The other nodes' cluster addresses: TCP, for networks without multicast.")
    List<InetSocketAddress> peers = new ArrayList<>();

    @Option(names = "--cluster-multicast", paramLabel = "GROUP:PORT", converter = HostPort.class,
            description = "UDP multicast group and port (the default without --cluster-peers: a group in "
                    + "239.255.0.0/16 derived from the cluster name, port 45588).")
    InetSocketAddress multicast;

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
        return clusterName != null || nodeName != null || secretFile != null || bind != null || !peers.isEmpty()
                || multicast != null || stateDir != null || conflictHook != null;
    }

    /**
     * How nodes find each other: the multicast group to use, or null for TCP with {@code peers}.
     * Without both, the default group of the cluster name (as in {@code -M cluster} and
     * {@code jclsync members}).
     */
    static InetSocketAddress multicastGroup(String clusterName, List<InetSocketAddress> peers, InetSocketAddress multicast)
            throws ConfigException {
        if (multicast != null && !peers.isEmpty()) {
            throw new ConfigException("--cluster-multicast and --cluster-peers exclude each other: multicast finds "
                    + "the peers itself; use --cluster-peers (TCP) where multicast does not work");
        }
        InetSocketAddress group = multicast;
        if (group == null && peers.isEmpty()) group = io.jclsync.cluster.ClusterStack.defaultGroup(clusterName);
        if (group != null && !group.getAddress().isMulticastAddress()) {
            throw new ConfigException("--cluster-multicast " + group.getAddress().getHostAddress() + " is not a multicast address "
                    + "(224.0.0.0/4); e.g. 239.255.1.1:45588");
        }
        return group;
    }

    ClusterConfig toConfig() throws ConfigException {
        if (clusterName == null) throw new ConfigException("-M cluster needs --cluster-name");
        if (nodeName == null || !io.jclsync.cluster.wire.WireCodec.isNodeName(nodeName)) {
            throw new ConfigException("-M cluster needs --node-name: 1-64 of A-Z a-z 0-9 . _ -, unique in the cluster");
        }
        if (secretFile == null) throw new ConfigException("-M cluster needs --cluster-secret-file (mode 600, same on every node)");
        if (bind == null) throw new ConfigException("-M cluster needs --cluster-bind HOST:PORT (this node's address on the cluster network)");
        InetSocketAddress group = multicastGroup(clusterName, peers, multicast);
        if (stateDir == null) throw new ConfigException("-M cluster needs --state-dir (e.g. /var/lib/jclsync/" + clusterName + ")");
        if (transferPort < 1 || transferPort > 65535) throw new ConfigException("--transfer-port out of range");
        if (tombstoneDays < 1) throw new ConfigException("--tombstone-days must be at least 1");
        Path hook = null;
        if (conflictHook != null) {
            hook = conflictHook.toAbsolutePath().normalize();
            if (!java.nio.file.Files.isRegularFile(hook) || !java.nio.file.Files.isExecutable(hook)) {
                throw new ConfigException("--conflict-hook " + hook + " is not an executable file (chmod +x it?)");
            }
        }
        if (conflictDir.isAbsolute() || conflictDir.normalize().startsWith("..") || !conflictDir.normalize().equals(conflictDir)
                || conflictDir.toString().isEmpty()) {
            throw new ConfigException("--conflict-dir " + conflictDir + " must be a plain path relative to the watch dir, "
                    + "e.g. .sync-conflicts");
        }
        io.jclsync.conflict.ConflictScope scope;
        try {
            scope = io.jclsync.conflict.ConflictScope.parse(conflictScope, io.jclsync.fs.RelPath.of(conflictDir));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--conflict-scope " + e.getMessage());
        }
        Path state = stateDir.toAbsolutePath().normalize();
        return ClusterConfig.builder()
                .clusterName(clusterName)
                .nodeName(nodeName)
                .secretFile(secretFile.toAbsolutePath().normalize())
                .bind(bind)
                .peers(peers)
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
