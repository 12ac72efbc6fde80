package io.jclsync.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The id of a tree a cluster syncs, derived from the cluster's name (and the tree's, in a --ctl-socket host). */
public final class TreeId {
    private TreeId() {}

    /** The id of the tree a cluster syncs: peers with another id are refused. */
    public static byte[] of(String clusterName) {
        return of(clusterName, null);
    }

    /** The id of tree {@code treeName} of a --ctl-socket host (null: the cluster's one tree). */
    public static byte[] of(String clusterName, String treeName) {
        try {
            String name = "jclsync-tree/" + clusterName + (treeName == null ? "" : "/" + treeName);
            return MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
