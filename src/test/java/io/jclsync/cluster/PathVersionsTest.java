package io.jclsync.cluster;

import static io.jclsync.cluster.PathVersions.Order.CONCURRENT;
import static io.jclsync.cluster.PathVersions.Order.NEWER;
import static io.jclsync.cluster.PathVersions.Order.STALE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PathVersionsTest {
    @Test
    void versionVectorsOrderChanges() {
        assertEquals(NEWER, PathVersions.compare(Map.of(), Map.of("a", 1L)));
        assertEquals(NEWER, PathVersions.compare(Map.of("a", 1L), Map.of("a", 1L, "b", 1L)));
        assertEquals(STALE, PathVersions.compare(Map.of("a", 2L), Map.of("a", 1L)));
        assertEquals(STALE, PathVersions.compare(Map.of("a", 1L), Map.of("a", 1L)), "the same version again");
        assertEquals(CONCURRENT, PathVersions.compare(Map.of("a", 2L), Map.of("a", 1L, "b", 1L)));
        assertEquals(Map.of("a", 2L, "b", 1L), PathVersions.merge(Map.of("a", 2L), Map.of("a", 1L, "b", 1L)));
    }

    @Test
    void localChangesCountOnTopOfWhatWasApplied() {
        PathVersions v = new PathVersions("n2");
        Path f = Path.of("f");
        v.applied(f, null, Map.of("n1", 3L), "n1");
        assertEquals(Map.of("n1", 3L, "n2", 1L), v.localChange(f, null));
        assertEquals(Map.of("n1", 3L, "n2", 2L), v.localChange(f, null));
        assertEquals("n2", v.get(f).writer());
        assertEquals(Map.of(), v.observed(Path.of("new"), null), "observing is not a change");
        assertEquals(Map.of("n1", 3L, "n2", 2L), v.observed(f, null));
    }
}
