package io.jclsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What jclsync tells about itself: the status JSON, {@code jclsync status}, and the Prometheus endpoint. */
class StatusIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;
    JclsyncProcess jclsync;

    @AfterEach
    void stop() throws Exception {
        if (jclsync != null) jclsync.close();
    }

    private static long metric(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{label=\"jclsync\"\\} ([0-9.E]+)$").matcher(text);
        if (!m.find()) throw new AssertionError(name + " not in:\n" + text);
        return (long) Double.parseDouble(m.group(1));
    }

    /** Whether the metrics count the initial sync and the batch of the five files written after it. */
    private static boolean showTheWork(String text) {
        return metric(text, "jclsync_events_total") >= 5 && metric(text, "jclsync_batches_total") >= 1
                && metric(text, "jclsync_transfers_total") >= 2 && metric(text, "jclsync_queue_length") == 0;
    }

    /**
     * Asks the Prometheus endpoint until its answer {@link #showTheWork shows the work} or WAIT passes,
     * and returns the last answer: the batch and transfer counts move after rsync exits, a moment after
     * the files are in place.
     */
    private static HttpResponse<String> awaitMetrics(int port) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            HttpResponse<String> r = http.send(get, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200 || showTheWork(r.body()) || System.nanoTime() > deadline) return r;
            Thread.sleep(100);
        }
    }

    @Test
    void statusJsonStatusCommandAndMetricsAgreeWithWhatHappened() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Path dst = Files.createDirectories(tmp.resolve("dst"));
        Path status = tmp.resolve("status");
        for (int i = 0; i < 3; i++) Files.writeString(src.resolve("before" + i), "x".repeat(1000));
        int port = ThreadLocalRandom.current().nextInt(41000, 50000);
        jclsync = JclsyncProcess.start(tmp.resolve("log"), "-W", src.toString(), "-D", dst.toString(), "-t", "0.2",
                "--status-file", status.toString(), "--metrics-listen", "127.0.0.1:" + port);
        jclsync.awaitStatus(status, "running", WAIT);
        for (int i = 0; i < 5; i++) Files.writeString(src.resolve("f" + i), "file " + i);
        Trees.awaitEqual(src, dst, WAIT, jclsync);

        HttpResponse<String> r = awaitMetrics(port);
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        String text = r.body();
        assertTrue(text.contains("# TYPE jclsync_batches_total counter"), text);
        assertTrue(metric(text, "jclsync_events_total") >= 5, text);
        assertTrue(metric(text, "jclsync_batches_total") >= 1, text);
        assertTrue(metric(text, "jclsync_transfers_total") >= 2, "the initial sync and at least one batch: " + text);
        assertEquals(1, metric(text, "jclsync_full_syncs_total"), text);
        assertEquals(0, metric(text, "jclsync_transfer_failures_total"), text);
        assertEquals(0, metric(text, "jclsync_queue_length"), text);

        // The JSON is rewritten within 2 s of a change.
        Path json = tmp.resolve("status.json");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!(Files.exists(json) && Files.readString(json).contains("\"batches\": " + metric(text, "jclsync_batches_total")))) {
            if (System.nanoTime() > deadline) throw new AssertionError("status.json never caught up: " + Files.readString(json));
            Thread.sleep(100);
        }
        JclsyncProcess.Result out = JclsyncProcess.run(tmp.resolve("status.out"), WAIT, "status", "--status-file",
                status.toString(), "--json");
        assertEquals(0, out.exitCode(), out.output());
        String j = out.output();
        for (String expected : new String[] {"\"state\": \"running\"", "\"queue_length\": 0", "\"transfer_failures\": 0",
                "\"initial_sync\": {\"done\": true, \"duration_ms\": ",
                "\"progress\": {\"percent\": 100, \"files\": 3, \"bytes\": 3000,", "\"outcome\": \"ok\"", "\"mode\": \"rsyncdirect\""}) {
            assertTrue(j.contains(expected), expected + " in " + j);
        }
        JclsyncProcess.Result human = JclsyncProcess.run(tmp.resolve("status.txt"), WAIT, "status", "--status-file",
                status.toString());
        assertEquals(0, human.exitCode(), human.output());
        assertTrue(human.output().lines().anyMatch(l -> l.matches("state +running")), human.output());

        JclsyncProcess.Result missing = JclsyncProcess.run(tmp.resolve("missing.out"), WAIT, "status", "--status-file",
                tmp.resolve("nope").toString());
        assertEquals(2, missing.exitCode(), missing.output());
        assertTrue(missing.output().contains("no status in"), missing.output());
    }
}
