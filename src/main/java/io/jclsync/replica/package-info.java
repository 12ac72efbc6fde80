/**
 * What a tree does in a cluster: the node that wires it ({@link io.jclsync.replica.ReplicaNode}),
 * its peers and their hellos, catch-up requests and answers, progress reports, and the
 * {@link io.jclsync.replica.Announcer} that turns local batches into announcements.
 * May import {@code cluster}, {@code cluster.tls}, {@code cluster.wire}, {@code apply}, {@code conflict}, {@code state}, {@code echo}, {@code versions},
 * {@code transfer}, {@code batch}, {@code filter}, {@code config} and {@code fs}.
 */
package io.jclsync.replica;
