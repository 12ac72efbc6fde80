package io.jclsync.replica;

import io.jclsync.cluster.wire.WireMessage;

/** What a tree's parts send on the cluster channel (the link's member). */
interface Channel {
    void broadcast(WireMessage message) throws Exception;

    /** @return false if {@code node} is not in the view */
    boolean send(String node, WireMessage message) throws Exception;
}
