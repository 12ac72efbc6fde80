package io.jclsync.daemon;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

class StatsTest {
    @Test
    void rsyncProgressLinesBecomeTheFullSyncsProgress() {
        Stats stats = new Stats("web", "rsyncdirect", () -> "initsync", () -> 0);
        stats.progress("sending incremental file list");
        assertTrue(stats.json().contains("\"initial_sync\": {\"done\": false}"), stats.json());
        stats.progress("     12,345,678  45%   12.34MB/s    0:00:12 (xfr#123, ir-chk=1000/7890)");
        stats.progress("     12,400,000  46%   12.40MB/s    0:00:13"); // no file finished in between
        String json = stats.json();
        assertTrue(json.contains("\"progress\": {\"percent\": 46, \"files\": 123, \"bytes\": 12400000, \"rate\": \"12.40MB/s\"}"),
                json);
        stats.initialSyncDone(1500);
        assertTrue(stats.json().contains("\"initial_sync\": {\"done\": true, \"duration_ms\": 1500, \"progress\": "),
                stats.json());
        assertTrue(stats.prometheus().contains("jclsync_queue_length{label=\"web\"} 0\n"), stats.prometheus());
    }

    @Test
    void aClusterNodeReportsItsPeersAndHowFarBehindEachIs() {
        Stats stats = new Stats("web", "cluster", () -> "running", () -> 0);
        stats.cluster(() -> Map.of("conflicts", 2L), () -> List.of("n2", "n3"),
                () -> Map.of("n3", List.of(10L, 2L, 300L)),
                () -> new TreeMap<>(Map.of("n2", List.of(0L, 0L, 0L),
                        "n3", List.of(4L, 1200L, 2500L))));
        String json = stats.json();
        assertTrue(json.contains("\"cluster\": {\"peers\": [\"n2\", \"n3\"], \"catching_up\": {\"n3\": {\"entries\": 10, "
                + "\"files\": 2, \"bytes\": 300}}, \"behind\": {\"n2\": {\"batches\": 0, \"changes\": 0, \"oldest_ms\": 0}, "
                + "\"n3\": {\"batches\": 4, \"changes\": 1200, \"oldest_ms\": 2500}}, \"conflicts\": 2}"), json);
        String metrics = stats.prometheus();
        assertTrue(metrics.contains("jclsync_peer_behind_changes{label=\"web\",peer=\"n3\"} 1200\n"), metrics);
        assertTrue(metrics.contains("jclsync_peers{label=\"web\"} 2\n"), metrics);
    }
}
