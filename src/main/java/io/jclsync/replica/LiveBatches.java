package io.jclsync.replica;

import io.jclsync.cluster.wire.WireMessage;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends this node's live batches (what the {@link Announcer} found): numbered in the sequence that
 * also numbers catch-up answers, broadcast, and counted for each peer's lag ({@link Progress}).
 */
final class LiveBatches implements Announcer.Sender {
    private final String tree;
    private final String self;
    private final Channel channel;
    private final AtomicLong sequence;
    private final Progress progress;
    private final CatchUpExchange exchange;

    /** @param sequence numbers every batch this node sends, live or catch-up answer */
    LiveBatches(String tree, String self, Channel channel, AtomicLong sequence, Progress progress,
                CatchUpExchange exchange) {
        this.tree = tree;
        this.self = self;
        this.channel = channel;
        this.sequence = sequence;
        this.progress = progress;
        this.exchange = exchange;
    }

    @Override
    public void send(List<WireMessage.Change> changes) throws Exception {
        exchange.indexesMoved();
        long seq = sequence.incrementAndGet();
        channel.broadcast(new WireMessage.Batch(tree, self, seq, changes));
        progress.sent(seq, changes.size());
    }
}
