package io.jclsync.conflict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.fs.FileType;
import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import io.jclsync.state.VersionVector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.io.IOException;

class ConflictPolicyTest {
    private final Logger conflictLog = Logger.getLogger("io.jclsync.conflict");
    private final List<LogRecord> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            synchronized (logged) {
                logged.add(r);
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void captureLog() {
        conflictLog.addHandler(capture);
    }

    @AfterEach
    void releaseLog() {
        conflictLog.removeHandler(capture);
    }

    private List<String> warnings(String containing) {
        synchronized (logged) {
            return logged.stream().filter(r -> r.getLevel() == Level.WARNING && r.getMessage().contains(containing))
                    .map(LogRecord::getMessage).toList();
        }
    }

    // 2026-11-26 03:04:05 UTC
    private static final long T = 1_795_662_245_000_000_000L;
    private static final RelPath PATH = RelPath.of("site/index.html".getBytes(StandardCharsets.UTF_8));

    private static Candidate candidate(String node, long mtime) {
        byte[] hash = new byte[32];
        hash[0] = (byte) node.hashCode();
        return new Candidate(node, new FileState(FileType.FILE, 10, mtime, 0644, new byte[0], hash), VersionVector.of(node, 1));
    }

    @Test
    void theNewerVersionWinsAndTiesGoToTheGreaterNodeName() {
        Candidate older = candidate("n9", T);
        Candidate newer = candidate("n1", T + 1);
        assertSame(newer, ConflictPolicy.NEWEST.winner(PATH, older, newer));
        assertSame(newer, ConflictPolicy.NEWEST.winner(PATH, newer, older), "whichever side is local");
        Candidate a = candidate("a", T);
        Candidate b = candidate("b", T);
        assertSame(b, ConflictPolicy.NEWEST.winner(PATH, a, b));
        assertSame(b, ConflictPolicy.NEWEST.winner(PATH, b, a));
    }

    /**
     * Chaos cluster seed 605: two versions of one path by the same node with the same mtime (a
     * future mtime set twice) and different modes. The tie went to whichever side was asked first,
     * so each node kept its own and announced it as the winner, for ever. Ties are broken by the
     * states themselves, the same way whichever side is local.
     */
    @Test
    void aTieOfMtimeAndNodeIsBrokenByTheStatesTheSameWayOnBothSides() {
        Candidate a = candidate("n2", T);
        Candidate b = new Candidate("n2", new FileState(FileType.FILE, 10, T, 0600, new byte[0], a.state().sha256()),
                VersionVector.of("n2", 2));
        assertSame(ConflictPolicy.NEWEST.winner(PATH, a, b), ConflictPolicy.NEWEST.winner(PATH, b, a), "the mode decides");
        byte[] other = a.state().sha256().clone();
        other[31] = 1;
        Candidate c = new Candidate("n2", new FileState(FileType.FILE, 10, T, 0644, new byte[0], other), VersionVector.of("n2", 3));
        assertSame(ConflictPolicy.NEWEST.winner(PATH, a, c), ConflictPolicy.NEWEST.winner(PATH, c, a), "the content decides");
    }

    @Test
    void copiesAreNamedAfterTheLosersTimeNodeAndContentBeforeTheExtension() {
        assertEquals("site/index.sync-conflict-20261126-030405-n2-84000000.html",
                str(ConflictCopies.copyOf(PATH, candidate("n2", T))));
        assertEquals("Makefile.sync-conflict-20261126-030405-n2-84000000",
                str(ConflictCopies.copyOf(RelPath.of("Makefile".getBytes()), candidate("n2", T))));
        assertEquals("d.x/.bashrc.sync-conflict-20261126-030405-n2-84000000",
                str(ConflictCopies.copyOf(RelPath.of("d.x/.bashrc".getBytes()), candidate("n2", T))));
        assertEquals("a.tar.sync-conflict-20261126-030405-n2-84000000.gz",
                str(ConflictCopies.copyOf(RelPath.of("a.tar.gz".getBytes()), candidate("n2", T))));
    }

    /**
     * Chaos cluster seed 601: two versions one node wrote 20 ms apart both lost conflicts, and their
     * copies took one name, so the second replaced the first. A copy's name now says which content it
     * holds; the same content kept twice is still one copy.
     */
    @Test
    void oneNodesTwoVersionsInOneSecondAreKeptUnderTwoNames() {
        Candidate first = candidate("n1", T);
        byte[] other = first.state().sha256().clone();
        other[1] = 7;
        Candidate second = new Candidate("n1", new FileState(FileType.FILE, 10, T + 20_000_000L, 0644, new byte[0], other),
                VersionVector.of("n1", 2));
        assertNotEquals(str(ConflictCopies.copyOf(PATH, first)), str(ConflictCopies.copyOf(PATH, second)));
        Candidate sameContent = new Candidate("n1", new FileState(FileType.FILE, 10, T + 20_000_000L, 0644, new byte[0],
                first.state().sha256()), VersionVector.of("n1", 3));
        assertEquals(str(ConflictCopies.copyOf(PATH, first)), str(ConflictCopies.copyOf(PATH, sameContent)));
        FileState link = new FileState(FileType.SYMLINK, 1, T, 0777, "a".getBytes(), new byte[0]);
        FileState otherLink = new FileState(FileType.SYMLINK, 1, T, 0777, "b".getBytes(), new byte[0]);
        assertNotEquals(str(ConflictCopies.copyOf(PATH, new Candidate("n1", link, VersionVector.of("n1", 4)))),
                str(ConflictCopies.copyOf(PATH, new Candidate("n1", otherLink, VersionVector.of("n1", 5)))));
    }

    private static String str(RelPath p) {
        return new String(p.bytes(), StandardCharsets.UTF_8);
    }

    private static Path script(Path dir, String name, String body) throws Exception {
        Path s = dir.resolve(name);
        Files.writeString(s, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwx------"));
        return s;
    }

    @Test
    void theHookGetsTheConflictAndItsAnswerIsApplied(@TempDir Path dir) throws Exception {
        Path seen = dir.resolve("stdin.json");
        Path hook = script(dir, "hook", "cat > " + seen + "; echo \"$JCLSYNC_NODE_1 $JCLSYNC_MTIME_NS_2\" > "
                + dir.resolve("env") + "; echo n9");
        Candidate n9 = candidate("n9", T);
        Candidate n1 = candidate("n1", T + 5);
        HookPolicy policy = new HookPolicy(hook, dir, Duration.ofSeconds(10), ConflictPolicy.NEWEST);
        assertSame(n9, policy.winner(PATH, n9, n1), "the hook prefers n9 although n1 is newer");
        String json = Files.readString(seen);
        assertTrue(json.startsWith("{\"path\": \"site/index.html\", \"path_base64\": \"c2l0ZS9pbmRleC5odG1s\", "
                + "\"scope\": \"file\", \"candidates\": [{\"node\": \"n1\", \"type\": \"file\", \"size\": 10, "
                + "\"files\": 1, \"mtime_ns\": " + (T + 5)), json);
        assertTrue(json.contains("\"version\": {\"n9\": 1}"), json);
        assertEquals("n1 " + T + "\n", Files.readString(dir.resolve("env")), "candidates sorted by node name");
    }

    @Test
    void aSubtreeConflictReachesTheHookAsOneDirectoryPerSide(@TempDir Path dir) throws Exception {
        Path seen = dir.resolve("stdin.json");
        Path hook = script(dir, "hook", "cat > " + seen + "; echo \"$JCLSYNC_CONFLICT_SCOPE $JCLSYNC_FILES_1 $JCLSYNC_SIZE_2\" > "
                + dir.resolve("env") + "; echo keep-both");
        RelPath web = RelPath.of("containers/web".getBytes(StandardCharsets.UTF_8));
        Candidate here = Candidate.subtree("n1", T + 9, 120, 5000, VersionVector.of("n1", 7));
        Candidate there = Candidate.subtree("n3", T, 118, 4000, VersionVector.of("n3", 2));
        HookPolicy policy = new HookPolicy(hook, dir, Duration.ofSeconds(10), ConflictPolicy.NEWEST);
        assertSame(here, policy.subtreeWinner(web, there, here), "keep-both: the default, the latest change in it wins");
        assertEquals("subtree 120 4000\n", Files.readString(dir.resolve("env")));
        String json = Files.readString(seen);
        assertTrue(json.startsWith("{\"path\": \"containers/web\", \"path_base64\": \"Y29udGFpbmVycy93ZWI=\", "
                + "\"scope\": \"subtree\", \"candidates\": [{\"node\": \"n1\", \"type\": \"directory\", \"size\": 5000, "
                + "\"files\": 120, \"mtime_ns\": " + (T + 9)), json);
    }

    @Test
    void aHookThatFailsFallsBackToTheDefault(@TempDir Path dir) throws Exception {
        Candidate older = candidate("n9", T);
        Candidate newer = candidate("n1", T + 1);
        for (String body : new String[] {"echo n9; exit 3", "echo nobody", "echo", "sleep 5; echo n9", "echo keep-both"}) {
            HookPolicy policy = new HookPolicy(script(dir, "hook", body), dir, Duration.ofSeconds(1), ConflictPolicy.NEWEST);
            assertSame(newer, policy.winner(PATH, older, newer), body);
        }
    }

    @Test
    void theExampleHooksAnswerAsDocumented(@TempDir Path dir) throws Exception {
        Path examples = Path.of("examples", "hooks");
        Candidate older = candidate("n1", T);
        Candidate newer = candidate("n2", T + 1);
        HookPolicy newest = new HookPolicy(examples.resolve("newest-wins.sh").toAbsolutePath(), dir,
                Duration.ofSeconds(10), (p, a, b) -> { throw new AssertionError("the hook answered"); });
        assertSame(newer, newest.winner(PATH, older, newer));
        assertSame(newer, newest.winner(PATH, newer, older));
        Candidate usedLast = Candidate.subtree("n1", T + 7, 3, 30, VersionVector.of("n1", 2));
        Candidate usedBefore = Candidate.subtree("n2", T, 4, 40, VersionVector.of("n2", 2));
        assertSame(usedLast, newest.subtreeWinner(RelPath.of("web".getBytes()), usedBefore, usedLast),
                "a subtree: the side with the latest change in it");
        HookPolicy prefer = new HookPolicy(examples.resolve("prefer-node.sh").toAbsolutePath(), dir,
                Duration.ofSeconds(10), (p, a, b) -> { throw new AssertionError("the hook answered"); });
        assertSame(older, prefer.winner(PATH, older, newer), "PREFERRED defaults to n1");
        HookPolicy keepBoth = new HookPolicy(examples.resolve("keep-both.sh").toAbsolutePath(), dir,
                Duration.ofSeconds(10), ConflictPolicy.NEWEST);
        assertSame(newer, keepBoth.winner(PATH, older, newer), "keep-both: the default decides");
    }

    /** Whether process {@code pid} is gone (a zombie counts as gone: it runs nothing). */
    private static boolean gone(long pid) throws Exception {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (!Files.exists(stat)) return true;
        try {
            String s = Files.readString(stat);
            return s.substring(s.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException vanished) {
            return true;
        }
    }

    private static void awaitGone(long pid) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!gone(pid)) {
            assertTrue(System.nanoTime() < deadline, "process " + pid + " is still running");
            Thread.sleep(20);
        }
    }

    @Test
    void aHookThatTimesOutIsKilledWithEveryProcessItStarted(@TempDir Path dir) throws Exception {
        Path pids = dir.resolve("pids");
        // A child in the background, and one in a pipeline: both in the hook's process group.
        Path hook = script(dir, "hook", "sleep 1000 & echo $! > " + pids + "; sleep 1000 | cat; echo n9");
        Candidate older = candidate("n9", T);
        Candidate newer = candidate("n1", T + 1);
        HookPolicy policy = new HookPolicy(hook, dir, Duration.ofMillis(500), ConflictPolicy.NEWEST);
        long start = System.nanoTime();
        assertSame(newer, policy.winner(PATH, older, newer), "timed out: the default decides");
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "not held up by the hook's children");
        long child = Long.parseLong(Files.readString(pids).strip());
        awaitGone(child);
        assertEquals(List.of(), HookRun.members(child), "nothing left in the group");
        assertEquals(1, warnings("no answer within 0.5 s; its process group was killed").size(), logged.toString());
    }

    @Test
    void aHookThatAnswersLeavesNothingRunning(@TempDir Path dir) throws Exception {
        Path pids = dir.resolve("pids");
        Path hook = script(dir, "hook", "sleep 1000 & echo $! > " + pids + "; echo n9");
        Candidate n9 = candidate("n9", T);
        HookPolicy policy = new HookPolicy(hook, dir, Duration.ofSeconds(10), ConflictPolicy.NEWEST);
        assertSame(n9, policy.winner(PATH, n9, candidate("n1", T + 1)), "the answer counts; the child holding stdout does not stall it");
        awaitGone(Long.parseLong(Files.readString(pids).strip()));
    }

    @Test
    void theHooksStderrIsLoggedLineByLineAndBounded(@TempDir Path dir) throws Exception {
        Path hook = script(dir, "hook", "echo 'cannot read /etc/site.conf' >&2; echo 'using defaults' >&2; echo n9");
        Candidate n9 = candidate("n9", T);
        new HookPolicy(hook, dir, Duration.ofSeconds(10), ConflictPolicy.NEWEST).winner(PATH, n9, candidate("n1", T + 1));
        assertEquals(List.of("conflict hook " + hook + " (stderr): cannot read /etc/site.conf",
                "conflict hook " + hook + " (stderr): using defaults"), warnings("(stderr)"));

        logged.clear();
        // 1 MB of stderr: the hook is not blocked on a full pipe, and the log gets a bounded part of it.
        Path noisy = script(dir, "noisy", "i=0; while [ $i -lt 20000 ]; do echo \"line $i of a noisy hook with a long message\" >&2; "
                + "i=$((i+1)); done; echo n9");
        assertSame(n9, new HookPolicy(noisy, dir, Duration.ofSeconds(30), ConflictPolicy.NEWEST).winner(PATH, n9, candidate("n1", T + 1)));
        List<String> lines = warnings("(stderr)");
        assertEquals(HookRun.STDERR_LOGGED_LINES + 1, lines.size(), "the first lines, then how much was left out");
        assertEquals("conflict hook " + noisy + " (stderr): line 0 of a noisy hook with a long message", lines.get(0));
        assertTrue(lines.get(lines.size() - 1).matches(".*\\(stderr\\): \\d+ more bytes not logged .*"), lines.get(lines.size() - 1));
    }

    @Test
    void aBatchOfConflictsCannotTakeMoreThanTheHooksBudget(@TempDir Path dir) throws Exception {
        Path calls = dir.resolve("calls");
        Path hook = script(dir, "hook", "echo call >> " + calls + "; sleep 1000");
        AtomicLong skew = new AtomicLong();
        HookBudget budget = new HookBudget(Duration.ofSeconds(1), Duration.ofSeconds(1), () -> System.nanoTime() + skew.get(), "hook");
        HookPolicy policy = new HookPolicy(hook, dir, Duration.ofMillis(300), ConflictPolicy.NEWEST, budget);
        Candidate older = candidate("n9", T);
        Candidate newer = candidate("n1", T + 1);
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) assertSame(newer, policy.winner(PATH, older, newer));
        long took = System.nanoTime() - start;
        assertTrue(took < Duration.ofSeconds(4).toNanos(), "1,000 conflicts in " + took / 1_000_000 + " ms, not 1,000 timeouts");
        int asked = Files.readAllLines(calls).size();
        assertTrue(asked >= 2 && asked <= 5, "the hook was asked until its 1 s were spent: " + asked);
        List<String> spent = warnings("budget of 1.0 s is spent");
        assertEquals(1, spent.size(), "logged once: " + spent);
        assertTrue(spent.get(0).contains("after " + asked + " conflict(s)"), spent.get(0));

        skew.addAndGet(Duration.ofSeconds(2).toNanos()); // a pause: the next batch
        policy.winner(PATH, older, newer);
        assertEquals(asked + 1, Files.readAllLines(calls).size(), "a new batch asks the hook again");
        assertEquals(List.of("conflict hook hook: the default policy decided " + (1000 - asked) + " conflict(s) of the last "
                + "batch after the hook's budget of 1.0 s was spent"), warnings("decided"));
    }
}
