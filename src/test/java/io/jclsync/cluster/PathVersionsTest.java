package io.jclsync.cluster;

import static io.jclsync.cluster.PathVersions.Order.CONCURRENT;
import static io.jclsync.cluster.PathVersions.Order.NEWER;
import static io.jclsync.cluster.PathVersions.Order.STALE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import static org.junit.jupiter.api.Assertions.assertNull;

import io.jclsync.cluster.wire.WireMessage;
import io.jclsync.fs.FileType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void theIndexSurvivesARestartAndOldTombstonesExpire(@TempDir Path dir) throws Exception {
        Path index = dir.resolve("index");
        WireMessage.EntryState file = new WireMessage.EntryState(FileType.FILE, 3, 7, 0644, new byte[0], new byte[32]);
        PathVersions before = new PathVersions("n1", Duration.ofDays(1));
        before.applied(Path.of("kept"), file, Map.of("n2", 4L), "n2");
        before.localChange(Path.of("gone"), null);
        before.saveIfDirty(index);

        PathVersions after = new PathVersions("n1", Duration.ofDays(1));
        after.load(index);
        assertEquals(Map.of("n2", 4L), after.get(Path.of("kept")).vector());
        assertEquals("n2", after.get(Path.of("kept")).writer());
        assertNull(after.get(Path.of("gone")).state(), "a fresh tombstone is kept");
        long deletedAt = after.get(Path.of("gone")).deletedAtMillis();
        assertEquals(true, deletedAt > 0, "the tombstone's time is saved");

        after.expireTombstones(deletedAt + Duration.ofHours(23).toMillis());
        assertEquals(Map.of("n1", 1L), after.get(Path.of("gone")).vector(), "younger than a day: kept");
        after.expireTombstones(deletedAt + Duration.ofHours(25).toMillis());
        assertNull(after.get(Path.of("gone")), "older than a day: forgotten");
        assertEquals(Map.of("n2", 4L), after.get(Path.of("kept")).vector(), "live entries never expire");
    }
}
