/**
 * The channel: JGroups membership (stack in {@code tcp.xml} or {@code udp.xml}, every frame sealed
 * with keys derived from the cluster secret, {@code cluster.frame}) carrying
 * {@link io.jclsync.cluster.wire.WireMessage}s between nodes, the links a process's trees share,
 * members' transfer keys, the transfer listener peers pull from ({@code cluster.tls}), and the
 * membership probe of {@code jclsync members}, which joins the network as a link does. May import {@code cluster.frame}, {@code cluster.tls},
 * {@code cluster.wire}, {@code config}, {@code fs}, and JGroups.
 */
package io.jclsync.cluster;
