package io.jclsync.conflict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.fs.RelPath;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConflictScopeTest {
    private static final RelPath DIR = ConflictScope.DEFAULT_CONFLICT_DIR;

    private static RelPath p(String s) {
        return RelPath.of(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void pathsBelowTheDepthBelongToTheirSubtree() {
        ConflictScope containers = ConflictScope.parse("subtree:1", DIR);
        assertEquals(p("web"), containers.scopeOf(p("web/etc/hosts")));
        assertEquals(p("web"), containers.scopeOf(p("web/x")));
        assertNull(containers.scopeOf(p("web")), "the subtree's own directory is decided on its own");
        assertNull(containers.scopeOf(p("README")), "a top-level file is decided on its own");
        assertNull(containers.scopeOf(p(".sync-conflicts/web.sync-conflict-20261126-030405-n2/x")),
                "kept copies are never decided as a unit");
        assertEquals(p(".sync-conflicts-not/x"), ConflictScope.parse("subtree:2", DIR).scopeOf(p(".sync-conflicts-not/x/y")));

        ConflictScope two = ConflictScope.parse("subtree:2", DIR);
        assertEquals(p("containers/web"), two.scopeOf(p("containers/web/a/b")));
        assertNull(two.scopeOf(p("containers/web")));
        assertTrue(two.isSubtree(p("containers/web")));
        assertFalse(two.isSubtree(p("containers")));
        assertFalse(two.isSubtree(p("containers/web/a")));
        assertFalse(two.isSubtree(p(".sync-conflicts/web")));

        assertNull(ConflictScope.FILE.scopeOf(p("web/etc/hosts")), "per-file scope: no subtrees");
        assertFalse(ConflictScope.FILE.bySubtree());
    }

    @Test
    void badSpecsAreRefusedSayingWhatIsAccepted() {
        assertEquals(0, ConflictScope.parse("file", DIR).depth());
        assertEquals(3, ConflictScope.parse("subtree:3", DIR).depth());
        for (String bad : new String[] {"subtree", "subtree:0", "subtree:-1", "subtree:17", "subtree:x", "dir:1", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConflictScope.parse(bad, DIR), bad);
            assertTrue(e.getMessage().contains("expected 'file' or 'subtree:N'"), e.getMessage());
        }
    }

    @Test
    void aLosingSubtreeIsKeptUnderTheConflictDirNamedAfterItsLatestChange() {
        // 2026-11-26 03:04:05 UTC
        long t = 1_795_662_245_000_000_000L;
        assertEquals(".sync-conflicts/containers/web.sync-conflict-20261126-030405-n3",
                new String(ConflictCopies.subtreeCopyOf(DIR, p("containers/web"), t, "n3").bytes(), StandardCharsets.UTF_8));
    }
}
