package io.jclsync.replica;

import io.jclsync.apply.Applier;
import io.jclsync.apply.Counters;
import io.jclsync.cluster.wire.WireMessage;
import io.jclsync.conflict.SubtreeConflicts;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * What happens to a received batch, on one thread, in arrival order: catch-up answers go through
 * the subtree conflicts first, the {@link Applier} runs it, what applying kept or decided here is
 * announced, and progress and catch-up positions move.
 */
final class Applying {
    private static final Logger LOG = Logger.getLogger(Applying.class.getName());
    static final int QUEUE = 16;

    private final String tree;
    private final Applier applier;
    private final SubtreeConflicts subtrees;
    private final PeerSources sources;
    private final Progress progress;
    private final CatchUps catchUps;
    private final Counters counters;
    private final Announcer announcer;
    /** Open once the first scan has reconciled the index with the tree. */
    private final CountDownLatch scanned;
    /**
     * Received batches wait here to be applied, at most {@link #QUEUE}: beyond that the
     * channel's delivery thread blocks until one is taken (back-pressure on the sender: JGroups'
     * flow control then holds its further messages), so a fast or hostile peer cannot fill the
     * heap and nothing is dropped.
     */
    private final ThreadPoolExecutor applyThread = new ThreadPoolExecutor(
            1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(QUEUE), r -> {
                Thread t = new Thread(r, "jclsync-apply");
                t.setDaemon(true);
                return t;
            }, (task, pool) -> {
                if (pool.isShutdown()) return;
                try {
                    pool.getQueue().put(task);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });

    Applying(String tree, Applier applier, SubtreeConflicts subtrees, PeerSources sources, Progress progress, CatchUps catchUps,
             Counters counters, Announcer announcer, CountDownLatch scanned) {
        this.tree = tree;
        this.applier = applier;
        this.subtrees = subtrees;
        this.sources = sources;
        this.progress = progress;
        this.catchUps = catchUps;
        this.counters = counters;
        this.announcer = announcer;
        this.scanned = scanned;
    }

    /** Queues {@code batch} (blocking the caller while the queue is full). */
    void submit(WireMessage.Batch batch) {
        applyThread.execute(() -> apply(batch));
    }

    /** Applies a peer's batch (on the apply thread), then announces what applying it kept or decided here. */
    private void apply(WireMessage.Batch b) {
        try {
            // What changed here while the node was down must be in the index before peers' versions
            // are compared with it.
            scanned.await();
            long filesBefore = counters.filesPulled.get();
            long bytesBefore = counters.bytesPulled.get();
            WireMessage.IndexPart part = b.part();
            boolean complete = applier.apply(part == null ? b
                    : new WireMessage.Batch(tree, b.origin(), b.sequence(), subtrees.admit(b.origin(), part, b.changes()), part),
                    sources.sourcesFor(b.origin()));
            if (part == null) progress.applied(b.origin(), b.sequence());
            List<WireMessage.Change> kept = applier.takeKept();
            if (!kept.isEmpty()) announce(kept);
            boolean waiting = false;
            if (part != null && part.last()) {
                SubtreeConflicts.Decisions d = subtrees.decide(b.origin());
                waiting = d.waiting();
                announce(d.takeover());
            }
            if (part != null) {
                catchUps.applied(b.origin(), part, b.changes().size(), counters.filesPulled.get() - filesBefore,
                        counters.bytesPulled.get() - bytesBefore, complete, waiting);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warning("applying batch " + b.origin() + "#" + b.sequence() + " failed: " + e);
        }
    }

    /** Announces changes made to the index here (not by the watcher), as the watcher's are. */
    private void announce(List<WireMessage.Change> changes) {
        try {
            announcer.announce(changes);
        } catch (Exception e) {
            LOG.warning("cannot announce " + changes.size() + " changes: " + e + "; peers take them at their next catch-up");
        }
    }

    /** Stops the apply thread. @return whether it stopped within 10 s (a write may still be running if not) */
    boolean stop() {
        applyThread.shutdownNow();
        try {
            return applyThread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
