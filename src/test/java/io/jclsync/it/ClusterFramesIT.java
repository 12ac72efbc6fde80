package io.jclsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import java.time.Duration;

/**
 * An attacker on the wire between two real nodes: n2 reaches n1 only through a {@link FrameRelay}
 * (n1 advertises the relay's address), which records n2's frames, then replays all of them, flips a
 * bit in one, splices two and forges a payload-less LEAVE in n2's name. Each is dropped and counted
 * by n1 (rejected_frames), the view stays whole, nothing is applied twice, and a file written after
 * still syncs.
 */
class ClusterFramesIT extends ClusterTestBase {
    private static final Pattern REJECTED = Pattern.compile("\"rejected_frames\": (\\d+)");

    private FrameRelay relay;

    private int relayPort() {
        return port + 200;
    }

    @Override
    List<String> discovery() {
        return List.of();
    }

    @Override
    List<String> extraArgs(int i) {
        // n1 knows no one (it must not open connections of its own, which would bypass the relay);
        // n2 knows n1 only by the relay's address.
        String peer = i == 0 ? address(0) + ":" + port : "127.0.0.5:" + relayPort();
        return List.of("--cluster-peers", peer);
    }

    private static long rejectedFrames(String status) {
        Matcher m = REJECTED.matcher(status);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** Waits until n1's status counts at least {@code atLeast} rejected frames; returns the count. */
    private long awaitRejected(long atLeast, String what) throws Exception {
        String status = Trees.awaitText(states.get(0).resolve("status.json"), t -> rejectedFrames(t) >= atLeast,
                CONVERGE, "a status counting the " + what + " as rejected frames (" + atLeast + ")", nodes.get(0));
        return rejectedFrames(status);
    }

    @Test
    void forgedReplayedFlippedAndSplicedFramesAreDroppedAndTheClusterKeepsSyncing() throws Exception {
        // JGroups keeps one TCP connection per pair of members; when n1 opens it first (to n2's own
        // address), n2's frames bypass the relay and there is nothing to tamper with (seen in about
        // half the runs under load): both nodes are stopped and started again, up to three times.
        for (int attempt = 1; ; attempt++) {
            relay = new FrameRelay(new InetSocketAddress(FrameRelay.loopback(5), relayPort()),
                    new InetSocketAddress(address(0), port));
            startNode(0, Map.of("JAVA_TOOL_OPTIONS", "-Djclsync.cluster.advertise=127.0.0.5:" + relayPort()));
            startNode(1);
            awaitConverged("the file that was there before start", List.of(0, 1));
            Files.writeString(trees.get(1).resolve("from-n2-" + attempt + ".txt"), "written on n2\n");
            awaitConverged("a file written on n2", List.of(0, 1));
            if (relay.recorded() > 10 || attempt == 3) break;
            System.out.println("ClusterFramesIT: attempt " + attempt + ": n2's frames bypassed the relay ("
                    + relay.recorded() + " recorded); starting both nodes again");
            nodes.get(1).close();
            nodes.get(0).close();
            relay.close();
        }
        try {
            // Still bypassed after three starts: this run cannot test anything, which is not a failure
            // of the frame layer.
            assumeTrue(relay.recorded() > 10, "n2's frames went to n1 over n1's own connection, not through the relay ("
                    + relay.recorded() + " recorded)");
            // As for the counters after the attacks: n1 saves them once it has applied n2's batch, a
            // moment after its file is in place; read before that, n1's count would lack that change
            // and the difference below would be one too many.
            awaitQuiet(Duration.ofMillis(1500));
            Map<String, Long> n1Before = counters(0);
            Map<String, Long> n2Before = counters(1);
            long rejected = rejectedFrames(Files.readString(states.get(0).resolve("status.json")));
            assertEquals(0, rejected, "no frame of a member with the secret is dropped");

            // Every packet holds at least one frame.
            int replayed = relay.replayAll();
            rejected = awaitRejected(rejected + replayed, replayed + " replayed packets");
            relay.flipNext();
            rejected = awaitRejected(rejected + 1, "frame with a flipped bit");
            relay.spliceNext();
            rejected = awaitRejected(rejected + 1, "frame spliced from two");
            relay.forgeLeave();
            long total = awaitRejected(rejected + 1, "payload-less forged LEAVE");
            System.out.println("ClusterFramesIT: " + relay.recorded() + " packets recorded, " + replayed + " replayed, "
                    + total + " frames rejected by n1");

            Path late = trees.get(1).resolve("after-the-attacks.txt");
            Files.writeString(late, "still syncing\n");
            awaitConverged("a file written after the attacks", List.of(0, 1));
            // The counters file is saved after the batch is applied, a moment after its file is in place.
            awaitQuiet(Duration.ofMillis(1500));
            Map<String, Long> n1After = counters(0);
            Map<String, Long> n2After = counters(1);
            // Live changes only: catch-up answers (counted in batches_received) may come at any time.
            assertEquals(n2After.get("changes_announced") - n2Before.get("changes_announced"),
                    n1After.get("changes_received") - n1Before.get("changes_received"),
                    "n1 received exactly the changes n2 announced since: none replayed; n1's log:\n" + nodes.get(0).log());
            assertEquals(0, n1After.get("rejected_messages"), "nothing forged reached the message decoder");
            String n1Log = nodes.get(0).log();
            String lastView = n1Log.substring(n1Log.lastIndexOf("cluster it: [")).lines().findFirst().orElse("");
            assertTrue(lastView.equals("cluster it: [n1, n2]") || lastView.equals("cluster it: [n2, n1]"),
                    "the view stays whole: " + lastView);
            List<String> views = Pattern.compile("cluster it: \\[[^]]*]").matcher(n1Log).results()
                    .map(r -> r.group()).toList();
            int met = views.indexOf(lastView);
            assertTrue(views.subList(met, views.size()).stream().allMatch(v -> v.equals(lastView)),
                    "n1 saw no other view after the two nodes met: " + views);
            for (String reason : List.of("REPLAYED", "FORGED", "NOT_A_FRAME")) {
                assertTrue(n1Log.contains("dropped a frame from n2: " + reason)
                        || n1Log.contains("dropped a frame from " + reason), "a drop logged as " + reason + "\n" + n1Log);
            }
            n1Log.lines().filter(l -> l.contains("dropped a frame") || l.contains("cluster it:")).forEach(System.out::println);
        } finally {
            relay.close();
        }
    }
}
