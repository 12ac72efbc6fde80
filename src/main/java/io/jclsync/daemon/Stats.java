package io.jclsync.daemon;

import io.jclsync.transfer.Outcome;
import io.jclsync.transfer.TransferResult;
import io.jclsync.fs.Json;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one jclsync process has done, for {@code jclsync status} (JSON next to the status file)
 * and the Prometheus endpoint: events, batches, transfers and their bytes, failures, the last
 * sync, the initial sync, the queue, and in cluster mode the node's counters and peers.
 */
final class Stats {
    final AtomicLong events = new AtomicLong();
    final AtomicLong batches = new AtomicLong();
    final AtomicLong transfers = new AtomicLong();
    final AtomicLong transferFailures = new AtomicLong();
    final AtomicLong bytesSent = new AtomicLong();
    final AtomicLong fileBytesSent = new AtomicLong();
    final AtomicLong fullSyncs = new AtomicLong();
    private volatile long lastSyncAtMillis;
    private volatile long lastSyncMillis;
    private volatile String lastOutcome = "";
    private volatile long initialSyncMillis = -1;
    /** The last progress of a full sync: bytes, percent, rate, files transferred; null before any. */
    private volatile Progress progress;
    private volatile long lastProgressLog = System.nanoTime();

    record Progress(long bytes, int percent, String rate, long files) {}

    /** rsync --info=progress2: "  1,234,567  45%   12.34MB/s    0:00:12 (xfr#123, to-chk=456/7890)". */
    private static final Pattern PROGRESS2 = Pattern.compile(
            "^\\s*([\\d,]+)\\s+(\\d+)%\\s+(\\S+/s)\\s+\\S+(?:\\s+\\(xfr#(\\d+),.*)?$");
    private final long startedAtMillis = System.currentTimeMillis();

    private final String label;
    private final String mode;
    private final Supplier<String> state;
    private final IntSupplier queued;
    private volatile Supplier<Map<String, Long>> cluster = Map::of;
    private volatile Supplier<List<String>> peers = List::of;
    private volatile Supplier<Map<String, List<Long>>> catchUps = Map::of;
    private volatile Supplier<Map<String, List<Long>>> behind = Map::of;

    Stats(String label, String mode, Supplier<String> state, IntSupplier queued) {
        this.label = label;
        this.mode = mode;
        this.state = state;
        this.queued = queued;
    }

    /**
     * In cluster mode: the node's counters, its peers, catch-ups in progress (per peer: entries,
     * files, bytes) and how far behind each peer is (live batches, changes, oldest's age in ms).
     */
    void cluster(Supplier<Map<String, Long>> counters, Supplier<List<String>> peerNames,
                 Supplier<Map<String, List<Long>>> catchUpProgress, Supplier<Map<String, List<Long>>> peersBehind) {
        this.cluster = counters;
        this.peers = peerNames;
        this.catchUps = catchUpProgress;
        this.behind = peersBehind;
    }

    /** One run of a transfer (an attempt). */
    void transfer(boolean full, TransferResult r, long millis) {
        transfers.incrementAndGet();
        if (full) fullSyncs.incrementAndGet();
        if (r.outcome() != Outcome.OK) transferFailures.incrementAndGet();
        bytesSent.addAndGet(Math.max(0, r.bytesSent()));
        fileBytesSent.addAndGet(Math.max(0, r.literalBytes()));
        lastSyncAtMillis = System.currentTimeMillis();
        lastSyncMillis = millis;
        lastOutcome = r.outcome() == Outcome.OK ? "ok" : "failed (exit " + r.exitCode() + ")";
    }

    void initialSyncDone(long millis) {
        initialSyncMillis = millis;
    }

    /** A progress line of a full sync; logged at most every 10 s. Other lines are ignored. */
    void progress(String line) {
        Matcher m = PROGRESS2.matcher(line);
        if (!m.matches()) return;
        Progress p = new Progress(Long.parseLong(m.group(1).replace(",", "")), Integer.parseInt(m.group(2)), m.group(3),
                m.group(4) == null ? (progress == null ? 0 : progress.files()) : Long.parseLong(m.group(4)));
        progress = p;
        long now = System.nanoTime();
        if (now - lastProgressLog >= 10_000_000_000L) {
            lastProgressLog = now;
            Logger.getLogger(Stats.class.getName()).info(String.format(
                    "full sync: %d%% done, %d file(s) and %s sent, %s", p.percent(), p.files(),
                    Bytes.human(p.bytes()), p.rate()));
        }
    }

    String json() {
        StringBuilder sb = new StringBuilder("{");
        field(sb, "label", Json.quote(label));
        field(sb, "mode", Json.quote(mode));
        field(sb, "state", Json.quote(state.get()));
        field(sb, "started_at", Json.quote(Instant.ofEpochMilli(startedAtMillis).toString()));
        field(sb, "queue_length", queued.getAsInt());
        field(sb, "events", events.get());
        field(sb, "batches", batches.get());
        field(sb, "transfers", transfers.get());
        field(sb, "transfer_failures", transferFailures.get());
        field(sb, "full_syncs", fullSyncs.get());
        field(sb, "bytes_sent", bytesSent.get());
        field(sb, "file_bytes_sent", fileBytesSent.get());
        Progress pr = progress;
        String done = pr == null ? "" : ", \"progress\": {\"percent\": " + pr.percent() + ", \"files\": " + pr.files()
                + ", \"bytes\": " + pr.bytes() + ", \"rate\": " + Json.quote(pr.rate()) + "}";
        field(sb, "initial_sync", initialSyncMillis < 0 ? "{\"done\": false" + done + "}"
                : "{\"done\": true, \"duration_ms\": " + initialSyncMillis + done + "}");
        field(sb, "last_sync", lastSyncAtMillis == 0 ? "null"
                : "{\"at\": " + Json.quote(Instant.ofEpochMilli(lastSyncAtMillis).toString()) + ", \"duration_ms\": "
                + lastSyncMillis + ", \"outcome\": " + Json.quote(lastOutcome) + "}");
        Map<String, Long> c = cluster.get();
        if (!c.isEmpty()) {
            StringBuilder cl = new StringBuilder("{\"peers\": [");
            List<String> p = peers.get();
            for (int i = 0; i < p.size(); i++) cl.append(i > 0 ? ", " : "").append(Json.quote(p.get(i)));
            cl.append("], \"catching_up\": ").append(perPeer(catchUps.get(), "entries", "files", "bytes"));
            cl.append(", \"behind\": ").append(perPeer(behind.get(), "batches", "changes", "oldest_ms"));
            c.forEach((k, v) -> cl.append(", ").append(Json.quote(k)).append(": ").append(v));
            field(sb, "cluster", cl.append("}"));
        }
        return sb.append("}\n").toString();
    }

    /** {@code {"peer": {"name1": v1, ...}, ...}}: each peer's figures under {@code names}, in order. */
    private static String perPeer(Map<String, List<Long>> figures, String... names) {
        StringBuilder sb = new StringBuilder("{");
        figures.forEach((peer, values) -> {
            Map<String, Long> named = new LinkedHashMap<>();
            for (int i = 0; i < names.length; i++) named.put(names[i], values.get(i));
            sb.append(sb.length() > 1 ? ", " : "").append(Json.quote(peer)).append(": ").append(Json.object(named));
        });
        return sb.append('}').toString();
    }

    /** The Prometheus text exposition format (version 0.0.4). */
    String prometheus() {
        Map<String, Object[]> m = new LinkedHashMap<>();
        m.put("jclsync_events_total", new Object[] {"counter", "File-system events collected", events.get()});
        m.put("jclsync_batches_total", new Object[] {"counter", "Batches synced", batches.get()});
        m.put("jclsync_transfers_total", new Object[] {"counter", "Transfer runs (rsync or handler), retries included", transfers.get()});
        m.put("jclsync_transfer_failures_total", new Object[] {"counter", "Transfer runs that failed", transferFailures.get()});
        m.put("jclsync_full_syncs_total", new Object[] {"counter", "Full syncs (start, overflow, SIGUSR1)", fullSyncs.get()});
        m.put("jclsync_sent_bytes_total", new Object[] {"counter", "Bytes sent by transfers", bytesSent.get()});
        m.put("jclsync_queue_length", new Object[] {"gauge", "Paths waiting to be synced", queued.getAsInt()});
        m.put("jclsync_last_sync_timestamp_seconds", new Object[] {"gauge", "When the last transfer ended", lastSyncAtMillis / 1000.0});
        Map<String, Long> c = cluster.get();
        if (!c.isEmpty()) {
            m.put("jclsync_peers", new Object[] {"gauge", "Cluster peers in view", peers.get().size()});
            c.forEach((k, v) -> m.put("jclsync_cluster_" + k + "_total", new Object[] {"counter", "Cluster: " + k.replace('_', ' '), v}));
        }
        StringBuilder sb = new StringBuilder();
        String labels = "{label=" + Json.quote(label) + "}";
        m.forEach((name, v) -> sb.append("# HELP ").append(name).append(' ').append(v[1]).append('\n')
                .append("# TYPE ").append(name).append(' ').append(v[0]).append('\n')
                .append(name).append(labels).append(' ').append(v[2]).append('\n'));
        Map<String, List<Long>> lag = c.isEmpty() ? Map.of() : behind.get();
        if (!lag.isEmpty()) {
            sb.append("# HELP jclsync_peer_behind_changes Changes announced here that the peer has not applied yet\n")
                    .append("# TYPE jclsync_peer_behind_changes gauge\n");
            lag.forEach((peer, l) -> sb.append("jclsync_peer_behind_changes{label=").append(Json.quote(label))
                    .append(",peer=").append(Json.quote(peer)).append("} ").append(l.get(1)).append('\n'));
        }
        return sb.toString();
    }

    private static void field(StringBuilder sb, String name, Object value) {
        if (sb.length() > 1) sb.append(", ");
        sb.append('"').append(name).append("\": ").append(value);
    }
}
