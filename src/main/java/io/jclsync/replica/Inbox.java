package io.jclsync.replica;

import io.jclsync.cluster.ClusterMember;
import io.jclsync.cluster.wire.WireMessage;
import java.util.List;

/**
 * What the channel delivers for this tree, handed to the part whose job it is: hellos and batches
 * to the {@link Peers}, catch-up requests to the {@link CatchUpExchange}, progress reports to the
 * {@link Progress}, view changes to the peers.
 */
final class Inbox implements ClusterMember.Listener {
    private final String self;
    private final Peers peers;
    private final CatchUpExchange exchange;
    private final Progress progress;

    Inbox(String self, Peers peers, CatchUpExchange exchange, Progress progress) {
        this.self = self;
        this.peers = peers;
        this.exchange = exchange;
        this.progress = progress;
    }

    @Override
    public void received(String from, WireMessage message) {
        if (message instanceof WireMessage.Hello h) {
            peers.hello(h);
        } else if (message instanceof WireMessage.Batch b) {
            // A catch-up answer for another node is not this node's to apply.
            if (b.part() != null && !b.part().requester().equals(self)) return;
            if (b.part() == null) exchange.indexesMoved();
            peers.received(b);
        } else if (message instanceof WireMessage.CatchUpRequest r) {
            exchange.requested(r);
        } else if (message instanceof WireMessage.Progress p) {
            progress.reported(p);
        }
    }

    @Override
    public void viewChanged(List<String> members) {
        peers.viewChanged(members);
    }
}
