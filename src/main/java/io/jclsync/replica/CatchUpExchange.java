package io.jclsync.replica;

import io.jclsync.apply.Counters;
import io.jclsync.cluster.wire.WireMessage;
import io.jclsync.conflict.SubtreeConflicts;
import io.jclsync.state.Index;
import io.jclsync.state.IndexLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Catch-up between this node and its peers (PROTOCOL.md, <i>Catch-up</i>): asking a peer that
 * (re)joined for the entries of its index changed after our position there, answering such
 * requests from ours (in parts, on a thread of its own), and asking every peer again once the
 * cluster has been quiet for a while after changes, so positions stay recent.
 */
final class CatchUpExchange implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CatchUpExchange.class.getName());
    /** A peer quiet this long after sending live batches is asked to catch up, to move its position. */
    static final long REFRESH_AFTER_NANOS =
            TimeUnit.SECONDS.toNanos(Long.getLong("jclsync.positionRefreshSeconds", 60));

    private final String tree;
    private final String self;
    private final Index versions;
    private final Channel channel;
    private final SubtreeConflicts subtrees;
    private final Counters counters;
    private final LongSupplier nextSequence;
    /** Open once the first scan has reconciled the index with the tree: only then is it worth answering. */
    private final CountDownLatch scanned;
    private final CatchUpAnswers answers = new CatchUpAnswers(CatchUpAnswers.MIN_INTERVAL_NANOS);
    private final ExecutorService answerThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "jclsync-answer");
        t.setDaemon(true);
        return t;
    });
    /**
     * When this node last saw peers' indexes move (it sent or received a live batch, or sent index
     * entries in a catch-up answer); 0 once positions were refreshed after it.
     */
    private final AtomicLong lastLiveBatch = new AtomicLong();

    /**
     * @param nextSequence numbers every batch this node sends, live or catch-up answer
     */
    CatchUpExchange(String tree, String self, Index versions, Channel channel, SubtreeConflicts subtrees,
                    Counters counters, LongSupplier nextSequence, CountDownLatch scanned) {
        this.tree = tree;
        this.self = self;
        this.versions = versions;
        this.channel = channel;
        this.subtrees = subtrees;
        this.counters = counters;
        this.nextSequence = nextSequence;
        this.scanned = scanned;
    }

    /** A live batch was sent or received: peers' indexes moved. */
    void indexesMoved() {
        lastLiveBatch.set(System.nanoTime());
    }

    /**
     * Asks each peer that (re)joined the view for the entries of its index this node has not
     * taken yet; the answers come as batches with an {@link WireMessage.IndexPart}.
     */
    void request(List<String> from) {
        Map<String, IndexLog.Position> since = new HashMap<>();
        for (String p : from) {
            IndexLog.Position pos = versions.log().position(p);
            since.put(p, pos == null ? new IndexLog.Position(0, 0) : pos);
        }
        LOG.info("catching up with " + since.keySet());
        try {
            channel.broadcast(new WireMessage.CatchUpRequest(tree, self, since));
        } catch (Exception e) {
            LOG.warning("cannot ask " + since.keySet() + " for catch-up: " + e);
        }
    }

    /**
     * How far we have a peer's index only moves when it answers a catch-up request, so a node that
     * leaves and comes back would be sent again every change made since it last joined. So once
     * the cluster has been quiet for a while (a minute) after changes, every peer is asked again:
     * the answers hold what we already have (nothing is pulled) and move our positions. This ends:
     * an answer to a refresh is empty unless the peer's index moved again.
     *
     * A peer whose answer is still being applied here is not asked again: it would send the same
     * entries once more (a whole index, to a node that joins a large tree); its answer moves the
     * position when it is done.
     *
     * @param peers the peers known for this tree now
     * @param busy  the peers whose answers are being applied (moving within the last minute)
     */
    void refresh(List<String> peers, Set<String> busy) {
        long last = lastLiveBatch.get();
        if (last == 0 || System.nanoTime() - last < REFRESH_AFTER_NANOS) return;
        if (!lastLiveBatch.compareAndSet(last, 0)) return;
        List<String> idle = peers.stream().filter(p -> !busy.contains(p)).toList();
        if (!idle.isEmpty()) request(idle);
    }

    /** A peer asks for the entries of our index it lacks: answered on the answer thread, at most one at a time per peer. */
    void requested(WireMessage.CatchUpRequest r) {
        if (r.since().containsKey(self) && answers.offer(r)) answerThread.execute(() -> answerNext(r.requester()));
    }

    /** Sends {@code requester} the entries of our index it lacks, in parts, oldest change first. */
    private void answerNext(String requester) {
        WireMessage.CatchUpRequest r;
        try {
            scanned.await();
            r = answers.take(requester);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        // The entries are the index's own (path and version, both immutable); each part's wire
        // changes are made as it is sent, so an answer of the whole index never holds a second copy.
        IndexLog.Answer a = versions.log().answer(r.since().get(self));
        List<Map.Entry<Path, Index.Version>> entries = a.entries();
        try {
            int from = 0;
            do {
                int to = Math.min(entries.size(), from + Announcer.CHANGES_PER_MESSAGE);
                List<WireMessage.Change> changes = new ArrayList<>(to - from);
                for (Map.Entry<Path, Index.Version> e : entries.subList(from, to)) {
                    changes.add(WireMessage.Change.of(e.getKey(), e.getValue()));
                }
                WireMessage.IndexPart part = new WireMessage.IndexPart(r.requester(), a.indexId(), a.through(),
                        to == entries.size(), subtrees.summaries(r.requester(), changes));
                if (!channel.send(r.requester(), new WireMessage.Batch(tree, self, nextSequence.getAsLong(),
                        changes, part))) {
                    LOG.warning("cannot answer " + r.requester() + "'s catch-up request: it is not in the view");
                    return;
                }
                from = to;
            } while (from < entries.size());
            counters.catchUpEntriesSent.addAndGet(entries.size());
            if (!entries.isEmpty()) indexesMoved(); // the requester's index may move
            LOG.info("sent " + r.requester() + " " + entries.size() + " index entries (of " + versions.size() + ")");
        } catch (Exception e) {
            LOG.warning("cannot answer " + r.requester() + "'s catch-up request: " + e);
        }
    }

    @Override
    public void close() {
        answerThread.shutdownNow();
    }
}
