package io.jclsync.conflict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.cluster.wire.WireMessage;
import io.jclsync.fs.FileType;
import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import io.jclsync.state.Index;
import io.jclsync.state.VersionVector;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import java.nio.file.Path;
import java.util.HashMap;

/** Every branch of the decision a peer's change meets here, without a file or a node. */
class ResolutionTest {
    private static final RelPath PATH = RelPath.of(Path.of("d/f.txt"));
    private static final ConflictPolicy THEIRS = (path, a, b) -> b;
    private static final ConflictPolicy OURS = (path, a, b) -> a;

    private static FileState file(String content, long mtime) {
        try {
            byte[] b = content.getBytes(StandardCharsets.UTF_8);
            return new FileState(FileType.FILE, b.length, mtime, 0644, new byte[0],
                    MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static FileState dir(int mode) {
        return new FileState(FileType.DIRECTORY, 0, 1, mode, new byte[0], new byte[0]);
    }

    private static VersionVector v(Object... kv) {
        Map<String, Long> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], ((Number) kv[i + 1]).longValue());
        return VersionVector.of(m);
    }

    private static WireMessage.Change modify(FileState s, VersionVector version) {
        return new WireMessage.Change(PATH, WireMessage.Kind.MODIFY, null, s, version);
    }

    private static WireMessage.Change delete(VersionVector version) {
        return new WireMessage.Change(PATH, WireMessage.Kind.DELETE, null, null, version);
    }

    private static Index.Version indexed(FileState s, VersionVector version, String writer) {
        return new Index.Version(s, version, writer, 0, 1);
    }

    private static Resolution decide(WireMessage.Change c, FileState local, Index.Version mine, ConflictPolicy policy) {
        return Resolution.of(c, "n2", local, mine, "n1", policy);
    }

    @Test
    void nothingHereAndANewVersionIsTaken() {
        Resolution r = decide(modify(file("a", 5), v("n2", 1)), null, null, THEIRS);
        assertEquals(new Resolution.Take(v("n2", 1), "n2", false, false), r);
    }

    @Test
    void aChangeConcurrentWithADeleteHereIsTakenAsADecision() {
        Index.Version tomb = indexed(null, v("n1", 2), "n1");
        Resolution r = decide(modify(file("a", 5), v("n2", 1)), null, tomb, THEIRS);
        assertEquals(new Resolution.Take(v("n1", 2, "n2", 1), "n2", false, true), r);
        assertTrue(r.decided(), "taken over a concurrent delete: announced from here once in place");
        // Newer than the delete here, or nothing indexed: an ordinary take, not a decision.
        Resolution newer = decide(modify(file("a", 5), v("n1", 2, "n2", 1)), null, tomb, THEIRS);
        assertEquals(new Resolution.Take(v("n1", 2, "n2", 1), "n2", false, false), newer);
        assertFalse(newer.decided());
        assertFalse(decide(modify(file("a", 5), v("n2", 1)), null, null, THEIRS).decided());
        // The path is indexed live but missing here (deleted since, not yet announced): no decision either.
        assertFalse(decide(modify(file("a", 5), v("n2", 1)), null, indexed(file("b", 1), v("n1", 2), "n1"), THEIRS).decided());
    }

    @Test
    void onlyDecisionsBetweenConcurrentVersionsAreFlagged() {
        FileState here = file("ours", 7);
        Index.Version mine = indexed(here, v("n1", 1), "n1");
        assertTrue(decide(modify(file("theirs", 6), v("n2", 1)), here, mine, THEIRS).decided(), "theirs wins");
        assertTrue(decide(modify(file("theirs", 6), v("n2", 1)), here, mine, OURS).decided(), "ours wins");
        assertTrue(decide(modify(dir(0700), v("n2", 1)), dir(0755), indexed(dir(0755), v("n1", 1), "n1"), THEIRS).decided(),
                "concurrent directory modes");
        assertFalse(decide(delete(v("n2", 1)), here, mine, THEIRS).decided(), "kept against a delete: announced as kept");
        assertFalse(decide(modify(here, v("n2", 1)), here, mine, THEIRS).decided(), "already here");
        assertFalse(decide(modify(file("new", 8), v("n1", 1, "n2", 1)), here, mine, THEIRS).decided(), "newer");
        assertFalse(decide(modify(file("old", 5), v("n1", 1)), here, indexed(here, v("n1", 2), "n1"), THEIRS).decided(), "stale");
        assertFalse(decide(delete(v("n2", 2)), null, indexed(null, v("n2", 1), "n2"), THEIRS).decided(), "delete recorded");
    }

    @Test
    void nothingHereAndAStaleVersionOfSomethingDeletedHereChangesNothing() {
        Index.Version tomb = indexed(null, v("n1", 2, "n2", 1), "n1");
        assertInstanceOf(Resolution.Ignore.class, decide(modify(file("a", 5), v("n2", 1)), null, tomb, THEIRS));
    }

    @Test
    void aDeleteOfWhatIsNotHereIsRecordedUnlessStale() {
        assertEquals(new Resolution.RecordDelete(v("n2", 2), "n2", false),
                decide(delete(v("n2", 2)), null, indexed(null, v("n2", 1), "n2"), THEIRS));
        assertInstanceOf(Resolution.Ignore.class, decide(delete(v("n2", 1)), null, indexed(null, v("n2", 1), "n2"), THEIRS));
        assertEquals(new Resolution.RecordDelete(v("n2", 1), "n2", false), decide(delete(v("n2", 1)), null, null, THEIRS));
    }

    @Test
    void whatIsHereAlreadyMergesTheVersionsAndKeepsTheWriter() {
        FileState f = file("a", 5);
        Resolution r = decide(modify(f, v("n2", 1)), f, indexed(f, v("n3", 1), "n3"), THEIRS);
        assertEquals(new Resolution.AlreadyHere(v("n2", 1, "n3", 1), "n3", false), r);
        // Not indexed yet (a first scan's file, say): the peer's writer is taken.
        assertEquals(new Resolution.AlreadyHere(v("n2", 1), "n2", false), decide(modify(f, v("n2", 1)), f, null, THEIRS));
    }

    @Test
    void aTakeoverOfWhatIsHereKeepsItsFlagOnlyIfNotStale() {
        FileState f = file("a", 5);
        WireMessage.Change takeover = new WireMessage.Change(PATH, WireMessage.Kind.MODIFY, null, f, v("n2", 2), null, true);
        assertEquals(new Resolution.AlreadyHere(v("n2", 2), "n2", true), decide(takeover, f, indexed(f, v("n2", 1), "n2"), THEIRS));
        assertEquals(new Resolution.AlreadyHere(v("n2", 3), "n2", false), decide(takeover, f, indexed(f, v("n2", 3), "n2"), THEIRS));
    }

    /**
     * Chaos cluster seed 1548: n2 set a file's mtime (not announced yet) when a catch-up answer
     * brought the version it already had. Taken as "already here", the new mtime was recorded under
     * that version and expected as the peer's echo: never announced, for good. A version this node
     * has, against a change made here since, changes nothing: the change is announced from here.
     */
    @Test
    void theVersionHeldHereAgainstAnMtimeChangedHereIsIgnored() {
        Index.Version mine = indexed(file("a", 5), v("n2", 1), "n2");
        assertInstanceOf(Resolution.Ignore.class, decide(modify(file("a", 5), v("n2", 1)), file("a", 9), mine, THEIRS),
                "set later here");
        assertInstanceOf(Resolution.Ignore.class, decide(modify(file("a", 5), v("n2", 1)), file("a", 2), mine, THEIRS),
                "set earlier here");
        assertInstanceOf(Resolution.Ignore.class, decide(modify(file("a", 5), v("n2", 1)), file("a", 2),
                indexed(file("a", 5), v("n2", 2), "n2"), THEIRS), "an older version");
    }

    @Test
    void aDirectoryWhoseModeDiffersTakesANewerModeAndIgnoresAStaleOne() {
        Index.Version mine = indexed(dir(0755), v("n1", 1), "n1");
        assertEquals(new Resolution.Take(v("n1", 1, "n2", 1), "n2", false, false),
                decide(modify(dir(0700), v("n1", 1, "n2", 1)), dir(0755), mine, THEIRS));
        assertInstanceOf(Resolution.Ignore.class, decide(modify(dir(0700), v("n1", 1)), dir(0755), indexed(dir(0755), v("n1", 2), "n1"), THEIRS));
    }

    /**
     * Found by the chaos checker (cluster seed 153): concurrent modes of a directory were taken in
     * the order they arrived, so two nodes that got them in different orders held one vector over
     * two modes. Now the greater writer's mode stays (ties: the greater mode), whatever the order.
     */
    @Test
    void concurrentModesOfADirectoryAreDecidedAlikeInEitherOrder() {
        Index.Version mine = indexed(dir(0755), v("n1", 1, "n3", 1), "n3");
        // n2's 0700 against n3's 0755 here: n3 is the greater writer, its mode stays.
        assertEquals(new Resolution.DirectoryMode(v("n1", 1, "n2", 1, "n3", 1), "n3", false),
                decide(modify(dir(0700), v("n1", 1, "n2", 1)), dir(0755), mine, THEIRS));
        // The other way round: n3's 0755 arriving where n2's 0700 is: taken.
        assertEquals(new Resolution.DirectoryMode(v("n1", 1, "n2", 1, "n3", 1), "n3", true),
                Resolution.of(modify(dir(0755), v("n1", 1, "n3", 1)), "n3", dir(0700),
                        indexed(dir(0700), v("n1", 1, "n2", 1), "n2"), "n1", THEIRS));
        // A chmod made here and not yet announced is this node's (n1 < n2: the peer's is taken).
        assertEquals(new Resolution.DirectoryMode(v("n1", 1, "n2", 1, "n3", 1), "n2", true),
                decide(modify(dir(0700), v("n1", 1, "n2", 1)), dir(0711), mine, THEIRS));
        // The same writer twice (a node's two lives): the greater mode, on both sides.
        Index.Version fromN2 = indexed(dir(0750), v("n2", 1, "n1", 2), "n2");
        assertEquals(new Resolution.DirectoryMode(v("n1", 2, "n2", 1, "n3", 1), "n2", false),
                decide(modify(dir(0700), v("n2", 1, "n3", 1)), dir(0750), fromN2, THEIRS));
    }

    @Test
    void identicalContentIsNeverAConflictAndTheLaterMtimeStays() {
        FileState here = file("same", 5);
        // Concurrent versions of the same bytes: a later mtime there is taken (stamped only) ...
        assertEquals(new Resolution.Take(v("n1", 1, "n2", 1), "n2", false, false),
                decide(modify(file("same", 9), v("n2", 1)), here, indexed(here, v("n1", 1), "n1"), OURS));
        // ... an earlier one leaves ours, and the versions merge.
        assertEquals(new Resolution.AlreadyHere(v("n1", 1, "n2", 1), "n1", false),
                decide(modify(file("same", 2), v("n2", 1)), here, indexed(here, v("n1", 1), "n1"), THEIRS));
        // Equal versions with other mtimes (a first scan on two nodes): the same rule, not ignored as stale.
        assertEquals(new Resolution.Take(v("c", 7), "n2", false, false),
                decide(modify(file("same", 9), v("c", 7)), here, indexed(here, v("c", 7), "n1"), OURS));
        // Not indexed here: any version is newer, and its mtime is taken.
        assertEquals(new Resolution.Take(v("n2", 1), "n2", false, false), decide(modify(file("same", 2), v("n2", 1)), here, null, THEIRS));
    }

    @Test
    void aNewerVersionOfWhatDidNotChangeHereIsTaken() {
        FileState here = file("old", 5);
        assertEquals(new Resolution.Take(v("n1", 1, "n2", 1), "n2", false, false),
                decide(modify(file("new", 6), v("n1", 1, "n2", 1)), here, indexed(here, v("n1", 1), "n1"), OURS));
    }

    @Test
    void aStaleVersionChangesNothing() {
        FileState here = file("new", 6);
        assertInstanceOf(Resolution.Ignore.class,
                decide(modify(file("old", 5), v("n1", 1)), here, indexed(here, v("n1", 2), "n1"), THEIRS));
    }

    @Test
    void aNewerVersionOfWhatChangedHereSinceIsAConflict() {
        FileState agreed = file("agreed", 5);
        FileState here = file("changed here", 7);
        Resolution r = decide(modify(file("theirs", 6), v("n1", 1, "n2", 1)), here, indexed(agreed, v("n1", 1), "n1"), OURS);
        Resolution.OursWin w = assertInstanceOf(Resolution.OursWin.class, r);
        assertEquals("n1", w.localWriter(), "the change made here is this node's");
        assertEquals(v("n1", 1, "n2", 1), w.version());
        assertTrue(w.aside().toString().contains(".sync-conflict-"), w.aside().toString());
    }

    @Test
    void aConcurrentDeleteKeepsWhatChangedHere() {
        FileState here = file("changed", 7);
        assertEquals(new Resolution.KeepAgainstDelete(v("n1", 2, "n2", 1), "n1"),
                decide(delete(v("n2", 1)), here, indexed(here, v("n1", 2), "n1"), THEIRS));
        assertEquals(new Resolution.KeepAgainstDelete(v("n2", 1), ""), decide(delete(v("n2", 1)), here, null, THEIRS));
    }

    @Test
    void theirsWinningKeepsOursAsACopyNamedForOurWriter() {
        FileState here = file("ours", 7);
        Resolution r = decide(modify(file("theirs", 6), v("n2", 1)), here, indexed(here, v("n3", 1), "n3"), THEIRS);
        Resolution.TheirsWin w = assertInstanceOf(Resolution.TheirsWin.class, r);
        assertEquals("n3", w.localWriter(), "unchanged since n3 wrote it");
        assertEquals("n2", w.writer());
        assertEquals(v("n2", 1, "n3", 1), w.version());
        assertEquals(ConflictCopies.copyOf(PATH, new Candidate("n3", here, v("n3", 1))), w.aside());
    }

    @Test
    void oursWinningKeepsTheirsAsACopyNamedForTheirWriter() {
        FileState here = file("ours", 7);
        FileState theirs = file("theirs", 6);
        Resolution r = decide(modify(theirs, v("n2", 1)), here, indexed(here, v("n1", 1), "n1"), OURS);
        Resolution.OursWin w = assertInstanceOf(Resolution.OursWin.class, r);
        assertEquals(ConflictCopies.copyOf(PATH, new Candidate("n2", theirs, v("n2", 1))), w.aside());
    }

    /**
     * Chaos cluster seed 334: a directory on two nodes (with an entry below it the third never saw)
     * against a file on the third. The policy made the file win on every node; where the directory
     * was, it stayed all the same for what was below it, and each node announced its outcome, for
     * ever (vectors past 700 within two minutes). Between a directory and a file or link, the
     * directory stays on every node, whatever the policy, and the other is kept as a copy.
     */
    @Test
    void aDirectoryAgainstAFileStaysOnBothSidesWhateverThePolicy() {
        FileState d = dir(0755);
        FileState f = file("a file", 9);
        for (ConflictPolicy policy : List.of(THEIRS, OURS, ConflictPolicy.NEWEST)) {
            // n1 holds the directory and receives n2's file; n2 holds the file and receives n1's directory.
            Resolution atN1 = Resolution.of(modify(f, v("n2", 1)), "n2", d, indexed(d, v("n1", 1), "n1"), "n1", policy);
            Resolution atN2 = Resolution.of(modify(d, v("n1", 1)), "n1", f, indexed(f, v("n2", 1), "n2"), "n2", policy);
            Resolution.OursWin kept = assertInstanceOf(Resolution.OursWin.class, atN1, "the directory stays on n1");
            Resolution.TheirsWin taken = assertInstanceOf(Resolution.TheirsWin.class, atN2, "n2 takes the directory");
            assertEquals(kept.aside(), taken.aside(), "and both keep the file as the same copy");
        }
    }

    /**
     * Two nodes that hold concurrent versions decide with the same policy and end up agreeing: the
     * one whose version wins keeps it, the other takes it, and both name the loser's copy alike.
     * Random states and vectors, seeded.
     */
    @Test
    void twoNodesDecideAConflictTheSameWay() {
        long seed = Long.getLong("jclsync.seed", new Random().nextLong());
        Random rnd = new Random(seed);
        for (int i = 0; i < 2000; i++) {
            FileState a = file("a" + rnd.nextInt(3), 1 + rnd.nextInt(5));
            FileState b = file("b" + rnd.nextInt(3), 1 + rnd.nextInt(5));
            VersionVector base = v("n3", rnd.nextInt(3));
            VersionVector va = base.increment("n1");
            VersionVector vb = base.increment("n2");
            List<Resolution> out = new ArrayList<>();
            // n1 holds a, receives b from n2; n2 holds b, receives a from n1.
            out.add(Resolution.of(modify(b, vb), "n2", a, indexed(a, va, "n1"), "n1", ConflictPolicy.NEWEST));
            out.add(Resolution.of(modify(a, va), "n1", b, indexed(b, vb, "n2"), "n2", ConflictPolicy.NEWEST));
            boolean n1Keeps = out.get(0) instanceof Resolution.OursWin;
            boolean n2Keeps = out.get(1) instanceof Resolution.OursWin;
            assertTrue(n1Keeps != n2Keeps, "seed " + seed + ": exactly one side keeps its version: " + out);
            RelPath copy0 = out.get(0) instanceof Resolution.OursWin o ? o.aside() : ((Resolution.TheirsWin) out.get(0)).aside();
            RelPath copy1 = out.get(1) instanceof Resolution.OursWin o ? o.aside() : ((Resolution.TheirsWin) out.get(1)).aside();
            assertEquals(copy0, copy1, "seed " + seed + ": both name the loser's copy alike");
        }
    }
}
