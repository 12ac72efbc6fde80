package io.jclsync.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.fs.FileType;
import io.jclsync.watch.FsEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CollectorTest {
    private static final long MS = 1_000_000L;

    private long now = 1_000 * MS;
    private final Collector collector = new Collector(
            new Delays(Duration.ofMillis(100), Duration.ofMillis(1000), 1 << 20, Duration.ZERO, 5), () -> now);

    private static FsEvent create(String p) {
        return new FsEvent(FsEvent.Kind.CREATE, Path.of(p), null, false);
    }

    private static FsEvent modify(String p) {
        return new FsEvent(FsEvent.Kind.MODIFY, Path.of(p), null, false);
    }

    private static FsEvent delete(String p) {
        return new FsEvent(FsEvent.Kind.DELETE, Path.of(p), null, false);
    }

    private static FsEvent move(String from, String to) {
        return new FsEvent(FsEvent.Kind.MOVE, Path.of(to), Path.of(from), true);
    }

    @Test
    void coalescesPerPathAndDropsShortLivedFiles() {
        collector.record(List.of(create("a"), modify("a"), modify("a"), create("tmp"), delete("tmp"), delete("b"),
                create("b")));
        now += 100 * MS;
        Snapshot s = collector.takeIfDue(now);
        assertNotNull(s);
        assertEquals(Map.of(Path.of("a"), ChangeKind.CREATE, Path.of("b"), ChangeKind.MODIFY), s.changes());
    }

    @Test
    void theWindowIsFixedFromTheFirstEventSoChurnStillSyncs() {
        collector.record(List.of(create("a")));
        for (int i = 0; i < 9; i++) {
            now += 10 * MS;
            collector.record(List.of(modify("d" + i + "/f")));
            assertNull(collector.takeIfDue(now), "due too early at step " + i);
        }
        now += 10 * MS;
        Snapshot s = collector.takeIfDue(now);
        assertEquals(10, s.changes().size());
        assertNull(collector.takeIfDue(now + 1000 * MS), "the queue is empty after the take");
    }

    /** Issue 15: a burst syncs once it is over (quiet for the settle time), not a whole -t later. */
    @Test
    void aWindowFallsDueWhenQuietForTheSettleTimeOrAtTheCollectDelay() {
        Collector settling = new Collector(new Delays(Duration.ofMillis(1000), Duration.ofMillis(1000), 1 << 20,
                Duration.ZERO, 100, Duration.ofMillis(300)), () -> now);
        settling.record(List.of(create("a")));
        now += 200 * MS;
        settling.record(List.of(create("b")));
        now += 250 * MS;
        assertNull(settling.takeIfDue(now), "an event 250 ms ago: the burst may go on");
        now += 60 * MS;
        assertEquals(Set.of(Path.of("a"), Path.of("b")), settling.takeIfDue(now).changes().keySet());
        settling.syncFinished();
        // Constant churn: never quiet for 300 ms, yet due 1 s after the first event, as -t says.
        long first = now;
        for (int i = 0; now - first < 990 * MS; i++) {
            settling.record(List.of(create("c" + i)));
            now += 100 * MS;
            if (now - first < 1000 * MS) assertNull(settling.takeIfDue(now), "due too early, " + (now - first) / MS + " ms in");
        }
        now = first + 1000 * MS;
        assertNotNull(settling.takeIfDue(now));
    }

    @Test
    void renameChainsCollapseToOneRename() {
        collector.record(List.of(move("a", "b"), move("b", "c")));
        now += 100 * MS;
        Snapshot s = collector.takeIfDue(now);
        assertEquals(List.of(new Batch.Rename(Path.of("a"), Path.of("c"))), s.renames());
        assertEquals(ChangeKind.DELETE, s.changes().get(Path.of("a")));
        assertEquals(ChangeKind.MODIFY, s.changes().get(Path.of("c")), "c may have been replaced: not a plain create");
        assertEquals(ChangeKind.DELETE, s.changes().get(Path.of("b")), "b may have existed before a replaced it");
    }

    /** Issue 11: a file that replaced another by rename, then deleted, left the other at the destination. */
    @Test
    void aRenameOverAFileThenADeleteStillDeletesIt() {
        collector.record(List.of(move("new", "old"), delete("old")));
        now += 100 * MS;
        Snapshot s = collector.takeIfDue(now);
        assertEquals(Map.of(Path.of("new"), ChangeKind.DELETE, Path.of("old"), ChangeKind.DELETE), s.changes());
    }

    /**
     * Found by the chaos checker: a sync copies directories whole, so an entry created while it runs
     * may reach the destination although its create is in the next window; deleted then, it must
     * still be deleted there.
     */
    @Test
    void aCreateSeenWhileASyncRunsThenDeletedIsADelete() {
        collector.record(List.of(create("d")));
        now += 100 * MS;
        assertNotNull(collector.takeIfDue(now));
        collector.record(List.of(create("d/late"), delete("d/late")));
        now += 10 * MS;
        collector.syncFinished();
        now += 100 * MS;
        assertEquals(Map.of(Path.of("d/late"), ChangeKind.DELETE), collector.takeIfDue(now).changes());
        collector.syncFinished();
        now += 1000 * MS;
        collector.record(List.of(create("quiet"), delete("quiet")));
        now += 100 * MS;
        assertTrue(collector.takeIfDue(now).isEmpty(), "created and deleted while nothing synced: nothing to do");
    }

    /**
     * Found by the chaos checker (cluster seed 11): in a cluster a peer's directory was made here
     * and removed by a local `rm -r` in the same window; create + delete dropped out, the delete
     * was never announced, and the other nodes kept the directory for good. In a tree peers write
     * into, a new entry may be theirs: create + delete is a delete.
     */
    @Test
    void inASharedTreeACreateThenADeleteIsADelete() {
        Collector shared = new Collector(
                new Delays(Duration.ofMillis(100), Duration.ofMillis(1000), 1 << 20, Duration.ZERO, 5), () -> now, true);
        shared.record(List.of(create("peers-dir"), create("peers-dir/f"), delete("peers-dir/f"), delete("peers-dir")));
        now += 100 * MS;
        assertEquals(Map.of(Path.of("peers-dir"), ChangeKind.DELETE, Path.of("peers-dir/f"), ChangeKind.DELETE),
                shared.takeIfDue(now).changes());
    }

    @Test
    void aPathCreatedInTheWindowThenRenamedOverAndDeletedIsNothing() {
        collector.record(List.of(create("old"), move("new", "old"), delete("old")));
        now += 100 * MS;
        Snapshot s = collector.takeIfDue(now);
        assertEquals(Map.of(Path.of("new"), ChangeKind.DELETE), s.changes());
    }

    /** Found by the chaos checker (seed 12): a file written, then its directory renamed: its change follows it. */
    @Test
    void changesQueuedBelowAMovedDirectoryFollowIt() {
        collector.record(List.of(modify("d/sub/f"), move("d", "e")));
        now += 100 * MS;
        Snapshot s = collector.takeIfDue(now);
        assertEquals(ChangeKind.MODIFY, s.changes().get(Path.of("e/sub/f")));
        assertFalse(s.changes().containsKey(Path.of("d/sub/f")));
        assertEquals(ChangeKind.DELETE, s.changes().get(Path.of("d")));
    }

    @Test
    void aRenameBackIsNoRename() {
        collector.record(List.of(move("a", "b"), move("b", "a")));
        now += 100 * MS;
        assertTrue(collector.takeIfDue(now).renames().isEmpty());
    }

    @Test
    void manyChangesInOneDirectoryFoldIntoTheDirectory() {
        List<FsEvent> events = new ArrayList<>();
        for (int i = 0; i < 50; i++) events.add(create("big/f" + i));
        events.add(create("other/x"));
        collector.record(events);
        collector.record(List.of(modify("big/f3"), create("big/sub/deeper")));
        now += 100 * MS;
        Snapshot s = collector.takeIfDue(now);
        assertEquals(Set.of(Path.of("big")), s.folded());
        assertEquals(Map.of(Path.of("other/x"), ChangeKind.CREATE), s.changes());
    }

    @Test
    void tooManyChangesInTheRootBecomeAFullSync() {
        List<FsEvent> events = new ArrayList<>();
        for (int i = 0; i < 6; i++) events.add(create("f" + i));
        collector.record(events);
        now += 100 * MS;
        Snapshot s = collector.takeIfDue(now);
        assertTrue(s.full());
        assertTrue(s.changes().isEmpty());
    }

    @Test
    void tooManyChangesAcrossDirectoriesBecomeAFullSync() {
        List<FsEvent> events = new ArrayList<>();
        for (int i = 0; i < 501; i++) events.add(create("dir" + i + "/f"));
        collector.record(events);
        now += 100 * MS;
        Snapshot s = collector.takeIfDue(now);
        assertTrue(s.full(), "5 per dir x 100 = 500 queued paths at most");
        assertTrue(s.changes().isEmpty());
    }

    private static FsEvent write(String p) {
        return FsEvent.write(Path.of(p));
    }

    private static FsEvent closeWrite(String p) {
        return FsEvent.closeWrite(Path.of(p));
    }

    @Test
    void aFileStillBeingWrittenWaitsUntilItsWriterClosesIt() {
        collector.record(List.of(create("copying"), write("copying"), create("done"), write("done"), closeWrite("done")));
        for (int i = 0; i < 3; i++) {
            now += 40 * MS;
            collector.record(List.of(write("copying")));
        }
        now += 10 * MS; // 130 ms: the window (100 ms) is due; the last write was 10 ms ago
        Snapshot first = collector.takeIfDue(now);
        assertEquals(Map.of(Path.of("done"), ChangeKind.CREATE), first.changes());
        now += 40 * MS;
        collector.record(List.of(write("copying"), closeWrite("copying")));
        Snapshot second = null;
        for (int i = 0; i < 10 && (second == null || second.changes().isEmpty()); i++) {
            now += 25 * MS;
            second = collector.takeIfDue(now);
        }
        assertEquals(Map.of(Path.of("copying"), ChangeKind.CREATE), second.changes());
    }

    @Test
    void aFileOpenButIdleIsNotHeld() {
        collector.record(List.of(write("log")));
        now += 100 * MS; // due, and the last write is a whole collect delay old
        assertEquals(Map.of(Path.of("log"), ChangeKind.MODIFY), collector.takeIfDue(now).changes());
    }

    @Test
    void aFileWrittenWithoutPauseStillSyncsAfterTheBigFileDelay() {
        collector.record(List.of(write("busy.log")));
        Snapshot s = null;
        long start = now;
        while (s == null || s.changes().isEmpty()) {
            now += 20 * MS;
            collector.record(List.of(write("busy.log")));
            s = collector.takeIfDue(now);
            assertTrue(now - start < 2000 * MS, "held past the 1 s big-file delay");
        }
        assertTrue(now - start >= 1000 * MS, "released after " + (now - start) / MS + " ms");
    }

    @Test
    void deferredBigFilesWaitForTheirOwnTimer() {
        long window = now;
        collector.defer(List.of(new Batch.Entry(Path.of("huge"), ChangeKind.CREATE, FileType.FILE, 2 << 20)), window);
        now += 999 * MS;
        assertNull(collector.takeIfDue(now));
        collector.record(List.of(modify("huge")));
        now += 1 * MS;
        Snapshot s = collector.takeIfDue(now);
        assertEquals(Map.of(Path.of("huge"), ChangeKind.CREATE), s.changes());
        assertEquals(Set.of(Path.of("huge")), s.matured());
    }

    @Test
    void aFailedBatchIsRequeuedWithWhatArrivedSince() {
        Batch failed = new Batch(List.of(), List.of(
                new Batch.Entry(Path.of("d"), ChangeKind.CREATE, FileType.DIRECTORY, 0),
                new Batch.Entry(Path.of("f"), ChangeKind.MODIFY, FileType.FILE, 3)), false);
        collector.record(List.of(create("g"), delete("f")));
        collector.requeue(failed);
        now += 100 * MS;
        Snapshot s = collector.takeIfDue(now);
        assertEquals(Set.of(Path.of("d")), s.folded());
        assertEquals(Map.of(Path.of("f"), ChangeKind.DELETE, Path.of("g"), ChangeKind.CREATE), s.changes());
    }

    @Test
    void theMinimumTimeBetweenSyncsIsKept() {
        Collector paced = new Collector(
                new Delays(Duration.ofMillis(10), Duration.ofMillis(10), 1 << 20, Duration.ofMillis(500), 100),
                () -> now);
        paced.syncFinished();
        paced.record(List.of(create("a")));
        now += 10 * MS;
        assertNull(paced.takeIfDue(now));
        now += 490 * MS;
        assertNotNull(paced.takeIfDue(now));
    }

    @Test
    void aFullSyncRequestSwallowsQueuedPaths() {
        collector.record(List.of(create("a")));
        collector.requestFullSync();
        collector.record(List.of(create("b")));
        now += 100 * MS;
        Snapshot s = collector.takeIfDue(now);
        assertTrue(s.full());
        assertTrue(s.changes().isEmpty());
    }
}
