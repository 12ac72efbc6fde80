package io.jclsync.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Cluster mode's settings. Built with {@link #builder()}: a component not set is null or 0, peers none.
 *
 * @param bind         this node's cluster (JGroups) address
 * @param peers        the other nodes' cluster addresses (TCP); empty with multicast
 * @param multicast    the UDP multicast group and port, or null for TCP
 * @param transferPort port of this node's TLS transfer listener (peers' pulls), on the bind address
 * @param stateDir     where the node keeps its working files
 * @param tombstoneTtl how long deletes are remembered
 * @param conflictHook the script that decides conflicts, or null for the default policy
 * @param conflictScopeDepth 0: conflicts are decided per path; N: per subtree N levels below the root
 * @param conflictDir  where losing subtrees are kept, relative to the root
 * @param treeName     the tree's name when a --ctl-socket host serves several (part of its tree id), or null
 * @param linkDir      where the channel shared by a process's trees keeps its transfer key, pins and rsync config
 */
public record ClusterConfig(String clusterName, String nodeName, Path secretFile, InetSocketAddress bind,
                            List<InetSocketAddress> peers, InetSocketAddress multicast, int transferPort, Path stateDir,
                            Duration tombstoneTtl, Path conflictHook,
                            int conflictScopeDepth, Path conflictDir, String treeName, Path linkDir) {
    public ClusterConfig {
        peers = List.copyOf(peers);
    }

    /** The same settings for tree {@code name} of a host whose state dir is {@code stateDir}: its state below it. */
    public ClusterConfig forTree(String name) {
        return toBuilder().stateDir(stateDir.resolve("trees").resolve(name)).treeName(name).linkDir(stateDir).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings, to change some of them. */
    public Builder toBuilder() {
        return builder().clusterName(clusterName).nodeName(nodeName).secretFile(secretFile).bind(bind).peers(peers)
                .multicast(multicast).transferPort(transferPort).stateDir(stateDir).tombstoneTtl(tombstoneTtl)
                .conflictHook(conflictHook).conflictScopeDepth(conflictScopeDepth).conflictDir(conflictDir)
                .treeName(treeName).linkDir(linkDir);
    }

    /** Names each component; {@link #build()} runs the record's checks. */
    public static final class Builder {
        private String clusterName;
        private String nodeName;
        private Path secretFile;
        private InetSocketAddress bind;
        private List<InetSocketAddress> peers = List.of();
        private InetSocketAddress multicast;
        private int transferPort;
        private Path stateDir;
        private Duration tombstoneTtl;
        private Path conflictHook;
        private int conflictScopeDepth;
        private Path conflictDir;
        private String treeName;
        private Path linkDir;

        private Builder() {}

        public Builder clusterName(String v) { clusterName = v; return this; }
        public Builder nodeName(String v) { nodeName = v; return this; }
        public Builder secretFile(Path v) { secretFile = v; return this; }
        public Builder bind(InetSocketAddress v) { bind = v; return this; }
        public Builder peers(List<InetSocketAddress> v) { peers = v; return this; }
        public Builder multicast(InetSocketAddress v) { multicast = v; return this; }
        public Builder transferPort(int v) { transferPort = v; return this; }
        public Builder stateDir(Path v) { stateDir = v; return this; }
        public Builder tombstoneTtl(Duration v) { tombstoneTtl = v; return this; }
        public Builder conflictHook(Path v) { conflictHook = v; return this; }
        public Builder conflictScopeDepth(int v) { conflictScopeDepth = v; return this; }
        public Builder conflictDir(Path v) { conflictDir = v; return this; }
        public Builder treeName(String v) { treeName = v; return this; }
        public Builder linkDir(Path v) { linkDir = v; return this; }

        public ClusterConfig build() {
            return new ClusterConfig(clusterName, nodeName, secretFile, bind, peers, multicast, transferPort, stateDir,
                    tombstoneTtl, conflictHook, conflictScopeDepth, conflictDir, treeName, linkDir);
        }
    }
}
