package io.jclsync.cli;

import io.jclsync.cluster.ClusterStack;
import io.jclsync.config.ConfigException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Which cluster a node joins, under what name, with what secret, and where it and its peers are on
 * the network: the options {@code -M cluster} and {@code jclsync members} share (a picocli mixin of
 * both), so they are named, described and checked once.
 */
final class ClusterAddressOptions {
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

    /** Whether any of them was given. */
    boolean used() {
        return clusterName != null || nodeName != null || secretFile != null || bind != null || !peers.isEmpty()
                || multicast != null;
    }

    /**
     * How nodes find each other: the multicast group to use, or null for TCP with {@code peers}.
     * Without both, the default group of the cluster name.
     */
    InetSocketAddress multicastGroup() throws ConfigException {
        if (multicast != null && !peers.isEmpty()) {
            throw new ConfigException("--cluster-multicast and --cluster-peers exclude each other: multicast finds "
                    + "the peers itself; use --cluster-peers (TCP) where multicast does not work");
        }
        InetSocketAddress group = multicast;
        if (group == null && peers.isEmpty()) group = ClusterStack.defaultGroup(clusterName);
        if (group != null && !group.getAddress().isMulticastAddress()) {
            throw new ConfigException("--cluster-multicast " + group.getAddress().getHostAddress() + " is not a multicast address "
                    + "(224.0.0.0/4); e.g. 239.255.1.1:45588");
        }
        return group;
    }
}
