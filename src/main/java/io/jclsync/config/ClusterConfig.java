package io.jclsync.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * Cluster mode's settings.
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
                            java.time.Duration tombstoneTtl, Path conflictHook,
                            int conflictScopeDepth, Path conflictDir, String treeName, Path linkDir) {
    public ClusterConfig {
        peers = List.copyOf(peers);
    }

    /** The same settings for tree {@code name} of a host whose state dir is {@code stateDir}: its state below it. */
    public ClusterConfig forTree(String name) {
        return new ClusterConfig(clusterName, nodeName, secretFile, bind, peers, multicast, transferPort,
                stateDir.resolve("trees").resolve(name), tombstoneTtl, conflictHook, conflictScopeDepth, conflictDir,
                name, stateDir);
    }
}
