package io.jclsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * Split-brain: three nodes, each in a network namespace of its own, joined by a bridge in a
 * fourth. Taking n3's link down splits the cluster into {n1, n2} and {n3}; both sides write,
 * including to the same paths; then the link comes back, JGroups merges the views, and the nodes
 * reconcile. Every version written must survive, as the winner or as a conflict copy, the same
 * on every node, with the conflict hook's choices applied. Needs root (CI runs as root).
 */
class ClusterPartitionIT extends ClusterTestBase {
    private static final String TAG = Integer.toString(ThreadLocalRandom.current().nextInt(100_000));
    private static final String BRIDGE = "jclsync-br-" + TAG;
    private static final Pattern VIEW = Pattern.compile("cluster it: \\[([^\\]]*)\\]");

    private Path hook;
    /** Extra options of every node in the current test. */
    private List<String> options = List.of();

    private static String namespace(int i) {
        return "jclsync-n" + (i + 1) + "-" + TAG;
    }

    @BeforeAll
    static void createNetwork() throws Exception {
        Root.assume("network namespaces");
        Namespaces.bridged(BRIDGE, List.of(namespace(0), namespace(1), namespace(2)), "10.213.0.");
    }

    @AfterAll
    static void deleteNetwork() {
        Namespaces.delete(List.of(namespace(0), namespace(1), namespace(2), BRIDGE));
    }

    @BeforeEach
    void writeHook() throws IOException {
        // Records each call next to the node's tree; n1 wins conflicts under hooked/, elsewhere no preference.
        // Under subtree scope, containers/web goes to side A (n1, n2), whichever of its nodes compares.
        hook = tmp.resolve("hook.sh");
        Files.writeString(hook, """
                #!/bin/sh
                cat >> "$JCLSYNC_WATCH_DIR.hook-calls"
                case "$JCLSYNC_CONFLICT_PATH" in
                    hooked/*) echo n1 ;;
                    containers/web)
                        for n in "$JCLSYNC_NODE_1" "$JCLSYNC_NODE_2"; do
                            case "$n" in n1|n2) echo "$n"; exit 0 ;; esac
                        done ;;
                    *) echo keep-both ;;
                esac
                """);
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwx------"));
    }

    @Override
    String address(int i) {
        return "10.213.0." + (i + 1);
    }

    @Override
    List<String> launcher(int i) {
        return List.of("ip", "netns", "exec", namespace(i));
    }

    @Override
    List<String> extraArgs(int i) {
        List<String> args = new ArrayList<>(List.of("--conflict-hook", hook.toString()));
        args.addAll(options);
        return args;
    }

    private void link(int i, String state) throws Exception {
        Namespaces.ip("-n", BRIDGE, "link", "set", "v" + i, state);
    }

    /** Waits until node {@code i}'s latest view is exactly {@code members}. */
    private void awaitView(int i, List<String> members) throws Exception {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (true) {
            Matcher m = VIEW.matcher(nodes.get(i).log());
            List<String> last = null;
            while (m.find()) last = List.of(m.group(1).split(", "));
            if (last != null && last.size() == members.size() && last.containsAll(members)) return;
            if (System.nanoTime() > deadline) {
                throw new AssertionError("n" + (i + 1) + " never saw the view " + members + "; log:\n" + nodes.get(i).log());
            }
            Thread.sleep(200);
        }
    }

    /** Writes each path (then its content) on n1, and waits until every node has them and all is quiet. */
    private void beforeTheSplit(String... pathsAndContents) throws Exception {
        for (int i = 0; i < pathsAndContents.length; i += 2) write(0, pathsAndContents[i], pathsAndContents[i + 1]);
        awaitConverged("the files before the split");
        awaitQuiet(Duration.ofMillis(700));
    }

    /**
     * Splits n3 off, runs both sides' writes, heals, and waits until all three trees are equal.
     * {@code restartIsolated}: n3 is restarted after its writes while its link is still down (a node
     * that boots before its network, or restarts after a crash during an outage): it must wait for
     * its address to come up and join then, not exit.
     */
    private void partitionAndHeal(Runnable sideA, Runnable sideB, boolean restartIsolated) throws Exception {
        link(2, "down");
        awaitView(0, List.of("n1", "n2"));
        awaitView(2, List.of("n3"));
        long announced = counters(2).getOrDefault("changes_announced", 0L);
        sideA.run();
        Thread.sleep(50); // side B writes later: its versions have the newer mtimes
        sideB.run();
        Trees.awaitEqual(trees.get(0), trees.get(1), CONVERGE, nodes.get(1));
        if (restartIsolated) {
            long deadline = System.nanoTime() + CONVERGE.toNanos();
            while (counters(2).getOrDefault("changes_announced", 0L) < announced + 5) {
                if (System.nanoTime() > deadline) throw new AssertionError("n3 never took its writes: " + counters(2));
                Thread.sleep(100);
            }
            nodes.get(2).close();
            startNode(2);
            nodes.get(2).awaitLog("waiting for it before joining the cluster", CONVERGE);
            Thread.sleep(1000);
            assertTrue(nodes.get(2).isAlive(), "n3 started while its link was down exited:\n" + nodes.get(2).log());
        }
        link(2, "up");
        for (int i = 0; i < 3; i++) awaitView(i, List.of("n1", "n2", "n3"));
        awaitConverged("the healed cluster");
        awaitQuiet(Duration.ofSeconds(2));
        awaitConverged("the healed cluster, settled");
    }

    private interface Writes {
        void run() throws IOException;
    }

    private Runnable writes(Writes w) {
        return () -> {
            try {
                w.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    private void write(int node, String rel, String content) throws IOException {
        Path p = trees.get(node).resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    private String read(int node, String rel) throws IOException {
        return Files.readString(trees.get(node).resolve(rel));
    }

    /** The conflict copies of {@code rel} (same dir, NAME.sync-conflict-*-NODE-HASH.EXT) on node {@code i}. */
    private List<Path> copies(int i, String rel, String loser) throws IOException {
        Path p = trees.get(i).resolve(rel);
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String regex = Pattern.quote(name.substring(0, dot)) + "\\.sync-conflict-\\d{8}-\\d{6}-" + loser + "-[0-9a-f]{8}"
                + Pattern.quote(name.substring(dot));
        try (var list = Files.list(p.getParent())) {
            return list.filter(f -> f.getFileName().toString().matches(regex)).toList();
        }
    }

    @Test
    void bothSidesOfAPartitionWriteAndAfterTheMergeEveryVersionIsKept() throws Exception {
        startCluster();
        beforeTheSplit("shared.txt", "before the split\n", "hooked/doc.txt", "doc before the split\n",
                "victim.txt", "victim before the split\n", "proj/readme.txt", "readme before the split\n",
                "proj/other.txt", "other before the split\n");

        partitionAndHeal(writes(() -> {
            write(0, "a-only.txt", "written on n1 during the split\n");
            write(1, "a2-only.txt", "written on n2 during the split\n");
            write(0, "shared.txt", "A's shared\n");
            write(0, "hooked/doc.txt", "A's doc\n");
            Files.delete(trees.get(0).resolve("victim.txt"));
            Files.move(trees.get(0).resolve("proj"), trees.get(0).resolve("proj2"));
        }), writes(() -> {
            write(2, "b-only.txt", "written on n3 during the split\n");
            write(2, "shared.txt", "B's shared\n");
            write(2, "hooked/doc.txt", "B's doc\n");
            write(2, "victim.txt", "B's victim edit\n");
            write(2, "proj/readme.txt", "B's readme edit\n");
            assertTrue(Files.exists(trees.get(2).resolve("proj/other.txt")), "n3 did not see the rename");
        }), true);

        for (int i = 0; i < 3; i++) {
            String n = "n" + (i + 1) + ": ";
            assertEquals("written on n1 during the split\n", read(i, "a-only.txt"), n);
            assertEquals("written on n2 during the split\n", read(i, "a2-only.txt"), n);
            assertEquals("written on n3 during the split\n", read(i, "b-only.txt"), n);
            // Default policy (the hook says keep-both): the newer version keeps the path.
            assertEquals("B's shared\n", read(i, "shared.txt"), n + "the newer version wins");
            List<Path> shared = copies(i, "shared.txt", "n1");
            assertEquals(1, shared.size(), n + "A's version kept once");
            assertEquals("A's shared\n", Files.readString(shared.get(0)), n);
            // The hook prefers n1 under hooked/, although n3's version is newer.
            assertEquals("A's doc\n", read(i, "hooked/doc.txt"), n + "the hook's choice");
            List<Path> doc = copies(i, "hooked/doc.txt", "n3");
            assertEquals(1, doc.size(), n + "B's doc kept once");
            assertEquals("B's doc\n", Files.readString(doc.get(0)), n);
            // A delete never beats a modification.
            assertEquals("B's victim edit\n", read(i, "victim.txt"), n + "modify wins over delete");
            // A renamed proj/ while B edited a file in it: the rename and the edit both survive.
            assertEquals("readme before the split\n", read(i, "proj2/readme.txt"), n);
            assertEquals("other before the split\n", read(i, "proj2/other.txt"), n);
            assertEquals("B's readme edit\n", read(i, "proj/readme.txt"), n + "the edit is kept where it was made");
            assertFalse(Files.exists(trees.get(i).resolve("proj/other.txt")), n + "the unedited file moved with the rename");
        }

        // The hook was called as documented: JSON naming the path and both candidates.
        List<String> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path log = tmp.resolve("n" + (i + 1) + ".hook-calls");
            if (Files.exists(log)) calls.addAll(Files.readAllLines(log));
        }
        assertTrue(calls.stream().anyMatch(l -> l.startsWith("{\"path\": \"hooked/doc.txt\"")
                && l.contains("\"node\": \"n1\"") && l.contains("\"node\": \"n3\"")), "hook calls: " + calls);
        assertTrue(calls.stream().anyMatch(l -> l.startsWith("{\"path\": \"shared.txt\"")), "hook calls: " + calls);
        long conflicts = 0;
        for (int i = 0; i < 3; i++) conflicts += counters(i).get("conflicts");
        assertTrue(conflicts >= 2, "conflicts counted: " + allCounters());
    }

    /**
     * --conflict-scope subtree:2: each containers/NAME is decided as a unit. A subtree changed on
     * both sides becomes one side's version whole (one-sided changes of the loser included), and
     * the loser's whole version is kept under .sync-conflicts; a subtree changed on one side only
     * just syncs.
     */
    @Test
    void aSubtreeChangedOnBothSidesIsDecidedAsAUnitAndTheLosingSubtreeIsKept() throws Exception {
        options = List.of("--conflict-scope", "subtree:2");
        startCluster();
        beforeTheSplit("containers/web/index.html", "index before the split\n", "containers/web/lib/a.txt",
                "lib before the split\n", "containers/db/data.txt", "data before the split\n", "containers/db/old.txt",
                "old before the split\n", "containers/idle/x.txt", "idle before the split\n");

        partitionAndHeal(writes(() -> {
            write(0, "containers/web/index.html", "A's index\n");
            write(1, "containers/web/a-new.txt", "A's new web file\n");
            write(0, "containers/db/data.txt", "A's data\n");
            write(0, "containers/solo/f.txt", "a container only A has\n");
        }), writes(() -> {
            write(2, "containers/web/index.html", "B's index\n");
            Files.delete(trees.get(2).resolve("containers/web/lib/a.txt"));
            write(2, "containers/web/b-new.txt", "B's new web file\n");
            write(2, "containers/db/data.txt", "B's data\n");
            Files.delete(trees.get(2).resolve("containers/db/old.txt"));
            write(2, "containers/idle/x.txt", "B's idle edit\n");
        }), false);

        for (int i = 0; i < 3; i++) {
            String n = "n" + (i + 1) + ": ";
            Path root = trees.get(i);
            // web: the hook chose side A; B's one-sided changes in it are undone, and kept aside.
            assertEquals("A's index\n", read(i, "containers/web/index.html"), n);
            assertEquals("A's new web file\n", read(i, "containers/web/a-new.txt"), n);
            assertEquals("lib before the split\n", read(i, "containers/web/lib/a.txt"), n);
            assertFalse(Files.exists(root.resolve("containers/web/b-new.txt")), n + "B's web is replaced whole");
            Path webCopy = onlyCopy(root, "containers/web", "n3");
            assertEquals("B's index\n", Files.readString(webCopy.resolve("index.html")), n);
            assertEquals("B's new web file\n", Files.readString(webCopy.resolve("b-new.txt")), n);
            assertFalse(Files.exists(webCopy.resolve("lib/a.txt")), n + "the kept copy is B's web as it was");
            assertFalse(Files.exists(webCopy.resolve("a-new.txt")), n);
            // db: no preference from the hook, so the newer side (B) wins the whole subtree.
            assertEquals("B's data\n", read(i, "containers/db/data.txt"), n);
            assertFalse(Files.exists(root.resolve("containers/db/old.txt")), n + "B's delete is part of B's db");
            Path dbCopy = onlyCopy(root, "containers/db", "n1");
            assertEquals("A's data\n", Files.readString(dbCopy.resolve("data.txt")), n);
            assertEquals("old before the split\n", Files.readString(dbCopy.resolve("old.txt")), n);
            // Subtrees changed on one side only just sync.
            assertEquals("B's idle edit\n", read(i, "containers/idle/x.txt"), n);
            assertEquals("a container only A has\n", read(i, "containers/solo/f.txt"), n);
            // Decided per subtree: no per-file conflict copies in the containers.
            try (var walk = Files.walk(root.resolve("containers"))) {
                assertEquals(List.of(), walk.filter(p -> p.getFileName().toString().contains(".sync-conflict-")).toList(), n);
            }
        }
        List<String> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path log = tmp.resolve("n" + (i + 1) + ".hook-calls");
            if (Files.exists(log)) calls.addAll(Files.readAllLines(log));
        }
        assertTrue(calls.stream().anyMatch(l -> l.startsWith("{\"path\": \"containers/web\"") && l.contains("\"scope\": \"subtree\"")
                && l.contains("\"node\": \"n3\"") && l.contains("\"files\": ")), "hook calls: " + calls);
        assertTrue(calls.stream().noneMatch(l -> l.contains("\"path\": \"containers/idle")), "hook calls: " + calls);
    }

    /** The one kept copy of {@code subtree} from {@code loser} under .sync-conflicts. */
    private static Path onlyCopy(Path root, String subtree, String loser) throws IOException {
        Path dir = root.resolve(".sync-conflicts").resolve(subtree).getParent();
        String name = Path.of(subtree).getFileName().toString();
        try (var list = Files.list(dir)) {
            List<Path> copies = list.filter(p -> p.getFileName().toString().startsWith(name + ".sync-conflict-")).toList();
            assertEquals(1, copies.size(), "copies of " + subtree + " in " + dir + ": " + copies);
            assertTrue(copies.get(0).getFileName().toString().matches(Pattern.quote(name) + "\\.sync-conflict-\\d{8}-\\d{6}-" + loser),
                    copies.get(0).toString());
            return copies.get(0);
        }
    }
}
