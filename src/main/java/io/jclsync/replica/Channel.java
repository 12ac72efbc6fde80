package io.jclsync.replica;

import io.jclsync.cluster.ClusterMember;
import io.jclsync.cluster.wire.WireMessage;

/** What a tree's parts send on the cluster channel (the link's member). */
interface Channel {
    void broadcast(WireMessage message) throws Exception;

    /** @return false if {@code node} is not in the view */
    boolean send(String node, WireMessage message) throws Exception;

    /** What the parts send goes through {@code member}. */
    static Channel of(ClusterMember member) {
        return new Channel() {
            @Override
            public void broadcast(WireMessage message) throws Exception {
                member.broadcast(message);
            }

            @Override
            public boolean send(String node, WireMessage message) throws Exception {
                return member.send(node, message);
            }
        };
    }
}
