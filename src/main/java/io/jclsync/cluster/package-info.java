/**
 * Cluster membership: the JGroups channel (stack in {@code tcp.xml}, encrypted with a key derived
 * from the cluster secret) carrying {@link io.jclsync.cluster.wire.WireMessage}s between nodes.
 * May import {@code cluster.wire}, {@code config} and JGroups.
 */
package io.jclsync.cluster;
