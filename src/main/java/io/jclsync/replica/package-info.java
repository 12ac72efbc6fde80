/**
 * What a tree does in a cluster: the node that makes and wires its parts
 * ({@link io.jclsync.replica.ReplicaNode}), the channel's messages handed to them
 * ({@link io.jclsync.replica.Inbox}), its peers, their hellos and where to pull from, the apply
 * thread, catch-up requests and answers, progress reports, and the
 * {@link io.jclsync.replica.Announcer} that turns local batches into announcements.
 * May import {@code cluster}, {@code cluster.tls}, {@code cluster.wire}, {@code apply}, {@code conflict}, {@code state}, {@code echo}, {@code versions},
 * {@code transfer}, {@code batch}, {@code filter}, {@code config} and {@code fs}.
 */
package io.jclsync.replica;
