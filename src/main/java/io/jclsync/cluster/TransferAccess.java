package io.jclsync.cluster;

import io.jclsync.cluster.tls.NodeIdentity;

/**
 * What this node pulls one tree's files from peers with: its transfer key (TLS), and the module
 * and password of the peers' rsync.
 */
public record TransferAccess(NodeIdentity identity, String password, String module) {}
