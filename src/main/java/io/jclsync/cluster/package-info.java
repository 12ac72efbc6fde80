/**
 * Cluster membership: the JGroups channel (stack in {@code tcp.xml}, every frame sealed with keys
 * derived from the cluster secret) carrying {@link io.jclsync.cluster.wire.WireMessage}s between
 * nodes, and pulls over TLS ({@code cluster.tls}) from peers' rsync. May import {@code cluster.frame},
 * {@code cluster.tls}, {@code cluster.wire}, {@code config}, {@code filter}, {@code fs},
 * {@code batch}, {@code process} and {@code transfer} (cluster mode is a {@link io.jclsync.transfer.Transfer}), and JGroups.
 */
package io.jclsync.cluster;
