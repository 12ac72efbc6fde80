package io.jclsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A three-node cluster changes its secret without downtime, by SECURITY.md's procedure: every node
 * gets "old, new" and is restarted one at a time; then "new, old", one at a time; then "new" alone.
 * After each restart the restarted node joins the others' view directly (it never forms a view of
 * its own, which is what a split would look like), the view is whole again on every node, and no
 * node drops a frame.
 */
class ClusterRotationIT extends ClusterTestBase {
    private static final String OLD = "the cluster secret of this test";
    private static final String NEW = "the next secret of this cluster, 32+";
    private static final Pattern VIEW = Pattern.compile("cluster it: \\[([^]]*)]");
    private static final Pattern REJECTED = Pattern.compile("\"rejected_frames\": (\\d+)");

    private static List<String> views(String log) {
        return VIEW.matcher(log).results().map(r -> r.group(1)).toList();
    }

    private void awaitWholeView() throws Exception {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        for (int i = 0; i < 3; i++) {
            while (true) {
                List<String> v = views(nodes.get(i).log());
                if (!v.isEmpty() && v.get(v.size() - 1).split(", ").length == 3) break;
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("n" + (i + 1) + " never saw all three again: " + v + "\n" + nodes.get(i).log());
                }
                Thread.sleep(100);
            }
        }
    }

    private long rejectedFrames(int i) throws Exception {
        String status = Trees.awaitText(states.get(i).resolve("status.json"), t -> REJECTED.matcher(t).find(),
                CONVERGE, "a status with rejected_frames", nodes.get(i));
        Matcher m = REJECTED.matcher(status);
        m.find();
        return Long.parseLong(m.group(1));
    }

    private void restartEachWith(String secretFile, String phase) throws Exception {
        Files.writeString(secret, secretFile);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, rejectedFrames(i), "n" + (i + 1) + " dropped frames before its restart (" + phase + ")");
            assertEquals(0, nodes.get(i).terminate(Duration.ofSeconds(30)));
            startNode(i);
            awaitWholeView();
            List<String> own = views(nodes.get(i).log());
            assertTrue(own.stream().allMatch(v -> v.split(", ").length > 1),
                    "n" + (i + 1) + " joined the others at once, " + phase + ": " + own);
        }
    }

    @Test
    void aClusterChangesItsSecretOneNodeAtATimeAndNeverSplits() throws Exception {
        startCluster();
        awaitWholeView();
        restartEachWith(OLD + "\n" + NEW + "\n", "given the next secret");
        Files.writeString(trees.get(0).resolve("phase1.txt"), "after every node got the next secret\n");
        awaitConverged("a file written once every node knows both secrets");
        restartEachWith(NEW + "\n" + OLD + "\n", "the next secret made the one in use");
        restartEachWith(NEW + "\n", "the old secret removed");
        Files.writeString(trees.get(2).resolve("phase3.txt"), "under the new secret only\n");
        awaitConverged("a file written under the new secret alone");
        for (int i = 0; i < 3; i++) assertEquals(0, rejectedFrames(i), "n" + (i + 1) + " dropped frames at the end");
    }
}
