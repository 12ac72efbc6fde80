package io.jclsync.conflict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.fs.FileType;
import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConflictPolicyTest {
    // 2026-11-26 03:04:05 UTC
    private static final long T = 1_795_662_245_000_000_000L;
    private static final RelPath PATH = RelPath.of("site/index.html".getBytes(StandardCharsets.UTF_8));

    private static Candidate candidate(String node, long mtime) {
        byte[] hash = new byte[32];
        hash[0] = (byte) node.hashCode();
        return new Candidate(node, new FileState(FileType.FILE, 10, mtime, 0644, new byte[0], hash), Map.of(node, 1L));
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

    @Test
    void copiesAreNamedAfterTheLosersTimeAndNodeBeforeTheExtension() {
        assertEquals("site/index.sync-conflict-20261126-030405-n2.html",
                str(ConflictCopies.copyOf(PATH, candidate("n2", T))));
        assertEquals("Makefile.sync-conflict-20261126-030405-n2",
                str(ConflictCopies.copyOf(RelPath.of("Makefile".getBytes()), candidate("n2", T))));
        assertEquals("d.x/.bashrc.sync-conflict-20261126-030405-n2",
                str(ConflictCopies.copyOf(RelPath.of("d.x/.bashrc".getBytes()), candidate("n2", T))));
        assertEquals("a.tar.sync-conflict-20261126-030405-n2.gz",
                str(ConflictCopies.copyOf(RelPath.of("a.tar.gz".getBytes()), candidate("n2", T))));
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
        Candidate here = Candidate.subtree("n1", T + 9, 120, 5000, Map.of("n1", 7L));
        Candidate there = Candidate.subtree("n3", T, 118, 4000, Map.of("n3", 2L));
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
        Candidate usedLast = Candidate.subtree("n1", T + 7, 3, 30, Map.of("n1", 2L));
        Candidate usedBefore = Candidate.subtree("n2", T, 4, 40, Map.of("n2", 2L));
        assertSame(usedLast, newest.subtreeWinner(RelPath.of("web".getBytes()), usedBefore, usedLast),
                "a subtree: the side with the latest change in it");
        HookPolicy prefer = new HookPolicy(examples.resolve("prefer-node.sh").toAbsolutePath(), dir,
                Duration.ofSeconds(10), (p, a, b) -> { throw new AssertionError("the hook answered"); });
        assertSame(older, prefer.winner(PATH, older, newer), "PREFERRED defaults to n1");
        HookPolicy keepBoth = new HookPolicy(examples.resolve("keep-both.sh").toAbsolutePath(), dir,
                Duration.ofSeconds(10), ConflictPolicy.NEWEST);
        assertSame(newer, keepBoth.winner(PATH, older, newer), "keep-both: the default decides");
    }
}
