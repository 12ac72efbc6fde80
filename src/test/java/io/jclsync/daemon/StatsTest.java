package io.jclsync.daemon;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

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
}
