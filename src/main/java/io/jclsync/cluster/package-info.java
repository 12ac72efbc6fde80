/**
 * Cluster membership: the JGroups channel (stack in {@code tcp.xml}, encrypted with a key derived
 * from the cluster secret) carrying {@link io.jclsync.cluster.wire.WireMessage}s between nodes.
 * May import {@code cluster.wire}, {@code config}, {@code filter}, {@code fs}, {@code batch} and
 * {@code sync} (cluster mode is a {@link io.jclsync.sync.Transfer}), and JGroups.
 */
package io.jclsync.cluster;
