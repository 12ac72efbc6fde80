package io.jclsync.cluster;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.cluster.wire.WireMessage;
import io.jclsync.it.JclsyncProcess;
import io.jclsync.state.FileState;
import io.jclsync.state.FileStates;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, "the tree is a trust boundary": a member with the secret ({@link HostilePeer},
 * "mallory", in this JVM) tries one attack per test on a fresh node ("victim", a real process)
 * whose tree lies beside a {@link Canary}. After each: the canary is unchanged to the ctime,
 * the victim still runs, the attempt is in its log as a warning naming the path (and counted,
 * where a rule counts it), nothing is left in its staging dir, and it still syncs both ways with
 * an honest node (another real process). Mallory sends to the victim alone, so the honest node is
 * never attacked. Kept logs: {@code target/hostile-peer/TEST/}.
 */
class HostilePeerIT {
    private static final String CLUSTER = "hostile";
    private static final String VICTIM = "victim";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;
    private Path victimTree;
    private Path honestTree;
    private Path victimState;
    private Canary canary;
    private Map<String, String> canaryBefore;
    private JclsyncProcess victim;
    private JclsyncProcess honest;
    private HostilePeer mallory;
    private Path secret;
    private int port;
    private List<InetSocketAddress> nodes;

    @BeforeEach
    void start() throws Exception {
        secret = tmp.resolve("secret");
        Files.writeString(secret, "the cluster secret of the hostile peer test\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        canary = Canary.create(tmp.resolve("canary"));
        canaryBefore = canary.listing();
        victimTree = Files.createDirectory(tmp.resolve(VICTIM));
        honestTree = Files.createDirectory(tmp.resolve("honest"));
        victimState = tmp.resolve("victim-state");
        port = ThreadLocalRandom.current().nextInt(20000, 40000);
        List<InetSocketAddress> all = List.of(new InetSocketAddress("127.13.0.1", port),
                new InetSocketAddress("127.13.0.2", port), new InetSocketAddress("127.13.0.3", port));
        String peers = String.join(",", all.stream().map(a -> a.getHostString() + ":" + port).toList());
        victim = node(VICTIM, victimTree, victimState, all.get(0), peers, secret);
        honest = node("honest", honestTree, tmp.resolve("honest-state"), all.get(1), peers, secret);
        mallory = HostilePeer.start(Files.createDirectory(tmp.resolve(HostilePeer.NAME)), CLUSTER, secret, all.get(2),
                port + 1, all.subList(0, 2));
        nodes = all.subList(0, 2);
        awaitPeers();
    }

    /** Until the victim takes mallory and the honest node as peers, the honest node the victim, and mallory sees both. */
    private void awaitPeers() throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        long greeted = System.nanoTime();
        while (!(victim.log().contains("peer " + HostilePeer.NAME + " (pulls from")
                && victim.log().contains("peer honest (pulls from")
                && honest.log().contains("peer victim (pulls from")
                && mallory.sees(VICTIM) && mallory.sees("honest"))) {
            if (!victim.isAlive() || !honest.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the victim, the honest node and mallory did not become peers;\nvictim:\n"
                        + victim.log() + "\nhonest:\n" + honest.log());
            }
            if (System.nanoTime() - greeted > 2_000_000_000L) {
                mallory.greet(); // a hello can arrive before the node has registered its tree
                greeted = System.nanoTime();
            }
            Thread.sleep(50);
        }
    }

    private JclsyncProcess node(String name, Path tree, Path state, InetSocketAddress bind, String peers, Path secret)
            throws IOException {
        return JclsyncProcess.start(tmp.resolve(name + ".log"), "-M", "cluster", "-W", tree.toString(),
                "--cluster-name", CLUSTER, "--node-name", name, "--cluster-secret-file", secret.toString(),
                "--cluster-bind", bind.getHostString() + ":" + bind.getPort(),
                "--transfer-port", Integer.toString(bind.getPort() + 1), "--cluster-peers", peers,
                "--state-dir", state.toString(), "-t", "0.3", "-v");
    }

    @AfterEach
    void stop(TestInfo test) throws Exception {
        try {
            if (mallory != null) mallory.close();
            if (victim != null) victim.close();
            if (honest != null) honest.close();
        } finally {
            Path kept = Path.of("target", "hostile-peer", test.getTestMethod().orElseThrow().getName());
            Files.createDirectories(kept);
            for (String log : List.of("victim.log", "honest.log", HostilePeer.NAME + "/rsyncd.log")) {
                Path from = tmp.resolve(log);
                if (Files.exists(from)) {
                    Files.copy(from, kept.resolve(from.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /**
     * Issue 13 point 1: the applier checks each change's parents before it applies the batch's
     * symlinks, and pulls the batch's files after; a file named before the symlink it lies below
     * would then be moved through it. Both orders, in one batch; one target below a directory the
     * canary has, one below a directory it has not (which the node would make).
     */
    @Test
    void aSymlinkAndAFileBelowItInOneBatch() throws Exception {
        FileState first = mallory.serve("d1/sub/evil", bytes("placed through d1\n"));
        FileState second = mallory.serve("d2/new/evil", bytes("placed through d2\n"));
        mallory.send(VICTIM,
                mallory.create("d1/sub/evil", first),
                mallory.create("d1", HostilePeer.symlinkTo(canary.dir())),
                mallory.create("d2", HostilePeer.symlinkTo(canary.dir())),
                mallory.create("d2/new/evil", second));
        afterTheAttack(List.of("d1/sub/evil", "d2/new/evil"), counted("refused_writes", 2));
    }

    /**
     * Paths in the node's working dir (where pulls are staged): the codec refuses each message,
     * logs and counts it, so nothing of it reaches the applier. One change a message, so each is
     * counted.
     */
    @Test
    void changesInTheWorkingDirAreRejectedAndCounted() throws Exception {
        FileState file = mallory.serve(".jclsync/evil", bytes("staged by mallory\n"));
        FileState x = mallory.serve("x", bytes("x\n"));
        List<WireMessage.Change> attacks = List.of(
                mallory.create(".jclsync", HostilePeer.symlinkTo(canary.dir())),
                mallory.create(".jclsync/incoming/1", HostilePeer.symlinkTo(canary.dir())),
                mallory.create(".jclsync/evil", file),
                mallory.modify(".jclsync/incoming", HostilePeer.directory(0777)),
                mallory.rename("x", ".jclsync/incoming/x", x),
                mallory.rename(".jclsync/incoming", "stolen", HostilePeer.directory(0700)),
                mallory.delete(".jclsync/incoming"));
        for (var attack : attacks) mallory.send(VICTIM, attack);
        String status = awaitStatus(s -> rejected(s) >= attacks.size(), attacks.size() + " rejected messages");
        afterTheAttack(List.of(".jclsync", ".jclsync/incoming/1", ".jclsync/evil", ".jclsync/incoming",
                        ".jclsync/incoming/x", ".jclsync/incoming or stolen"),
                () -> assertEquals(attacks.size(), rejected(status),
                        "every message counted once, as rejected_messages"),
                () -> assertTrue(Files.isDirectory(victimTree.resolve(".jclsync"), LinkOption.NOFOLLOW_LINKS),
                        ".jclsync is still a directory"),
                () -> assertTrue(Files.isDirectory(victimTree.resolve(".jclsync/incoming"), LinkOption.NOFOLLOW_LINKS),
                        ".jclsync/incoming is still a directory"),
                () -> assertFalse(Files.exists(victimTree.resolve(".jclsync/evil"), LinkOption.NOFOLLOW_LINKS),
                        "no .jclsync/evil"),
                () -> assertFalse(Files.exists(victimTree.resolve("stolen"), LinkOption.NOFOLLOW_LINKS), "no stolen"));
    }

    /**
     * A rename whose source or target climbs out through a symlinked parent: {@code l} is made by
     * an earlier batch; {@code l2} and {@code l3} in the same batch, after the rename that names
     * them (these are not logged: when the rename is applied there is no symlink yet).
     */
    @Test
    void aRenameOutThroughASymlinkedParent() throws Exception {
        FileState x = mallory.serve("x", bytes("x, renamed by mallory\n"));
        mallory.send(VICTIM, mallory.create("l", HostilePeer.symlinkTo(canary.dir())), mallory.create("x", x));
        awaitContent(victimTree.resolve("x"), "x, renamed by mallory\n");
        // The attacker knows what the canary's file holds: its rename is otherwise a valid one.
        FileState secret = FileStates.of(canary.dir().resolve("secret.txt"));
        mallory.send(VICTIM, mallory.rename("l/secret.txt", "stolen.txt", secret));
        mallory.send(VICTIM, mallory.rename("x", "l/x", x));
        mallory.send(VICTIM, mallory.rename("l2/secret.txt", "stolen2.txt", secret),
                mallory.create("l2", HostilePeer.symlinkTo(canary.dir())));
        mallory.send(VICTIM, mallory.rename("x", "l3/x", x), mallory.create("l3", HostilePeer.symlinkTo(canary.dir())));
        afterTheAttack(List.of("stolen.txt or l/secret.txt", "l/x"), counted("refused_writes", 2));
    }

    /** A delete, and chmods of a directory and of a file, each through a symlinked parent made by an earlier batch. */
    @Test
    void aDeleteOrChmodThroughASymlinkedParent() throws Exception {
        mallory.send(VICTIM, mallory.create("l", HostilePeer.symlinkTo(canary.dir())));
        awaitPath(victimTree.resolve("l"));
        FileState script = FileStates.of(canary.dir().resolve("run.sh"));
        FileState worldWritable = new FileState(script.type(), script.size(), script.mtimeNanos(), 0777,
                script.linkTarget(), script.sha256());
        mallory.send(VICTIM, mallory.delete("l/secret.txt"));
        mallory.send(VICTIM, mallory.delete("l/sub"));
        mallory.send(VICTIM, mallory.modify("l/sub", HostilePeer.directory(0777)));
        mallory.send(VICTIM, mallory.modify("l/run.sh", worldWritable));
        afterTheAttack(List.of("l/secret.txt", "l/sub", "l/run.sh"), counted("refused_writes", 4));
    }

    /**
     * While a 200 MiB file is pulled into {@code big/sub/} and a small one into {@code big2/} (one
     * rsync; mallory serves at {@link HostilePeer#SERVE_KIB_PER_SECOND}), a local user swaps
     * {@code big} (the big file's grandparent) and {@code big2} (the small one's parent) for
     * symlinks to the canary, which has a {@code sub/}: neither file may be placed through them.
     */
    @Test
    void aDirectorySwappedForASymlinkWhileAPullRuns() throws Exception {
        mallory.send(VICTIM, mallory.create("big", HostilePeer.directory(0755)),
                mallory.create("big/sub", HostilePeer.directory(0755)),
                mallory.create("big2", HostilePeer.directory(0755)));
        awaitPath(victimTree.resolve("big/sub"));
        awaitPath(victimTree.resolve("big2"));
        Path served = Files.createDirectories(mallory.served().resolve("big/sub")).resolve("huge.bin");
        writeRandom(served, 200);
        FileState small = mallory.serve("big2/small.bin", bytes("small, placed through big2\n"));
        // The big file first: the applier places files in the batch's order.
        mallory.send(VICTIM, mallory.create("big/sub/huge.bin", FileStates.of(served)),
                mallory.create("big2/small.bin", small));
        Path partial = awaitStaged(victimTree.resolve(".jclsync/incoming"));
        for (String dir : List.of("big", "big2")) {
            Files.move(victimTree.resolve(dir), victimTree.resolve(dir + ".moved"));
            Files.createSymbolicLink(victimTree.resolve(dir), canary.dir());
        }
        assertTrue(Files.exists(partial),
                "the pull still ran when the dirs were swapped (else serve slower): " + partial);
        afterTheAttack(List.of("big/sub/huge.bin", "big2/small.bin"), counted("refused_writes", 2));
    }

    /** Mallory announces 64 KiB and serves 8 MiB more: the file must not be placed. */
    @Test
    void aPullServingMoreBytesThanAnnounced() throws Exception {
        byte[] announced = new byte[64 << 10];
        new Random(13).nextBytes(announced);
        FileState told = mallory.serve("more.bin", announced);
        try (OutputStream out = Files.newOutputStream(mallory.served().resolve("more.bin"))) {
            out.write(announced);
            out.write(new byte[8 << 20]);
        }
        mallory.send(VICTIM, mallory.create("more.bin", told));
        afterTheAttack(List.of("more.bin"), counted("rejected_pulls", 1),
                () -> assertFalse(Files.exists(victimTree.resolve("more.bin"), LinkOption.NOFOLLOW_LINKS),
                        "more.bin is not placed"));
    }

    /** Mallory serves other bytes (of the announced size) than the announced sha256: the file keeps its content. */
    @Test
    void aPullServingOtherBytesThanTheAnnouncedHash() throws Exception {
        FileState first = mallory.serve("victim.txt", bytes("version 1, honest\n"));
        mallory.send(VICTIM, mallory.create("victim.txt", first));
        awaitContent(victimTree.resolve("victim.txt"), "version 1, honest\n");
        FileState told = mallory.serve("victim.txt", bytes("version 2, honest\n"));
        Files.writeString(mallory.served().resolve("victim.txt"), "version 2, forged\n");
        mallory.send(VICTIM, mallory.modify("victim.txt", told));
        afterTheAttack(List.of("victim.txt"), counted("rejected_pulls", 1),
                () -> assertEquals("version 1, honest\n", Files.readString(victimTree.resolve("victim.txt")),
                        "victim.txt unchanged"));
    }

    /**
     * What must hold after every attack. Mallory's batches to the victim are applied in order, so a
     * file it sends afterwards being in place means the attack has been handled.
     *
     * @param attempts the paths each attempt must be logged with (in a WARN or ERROR line); "A or B": either
     * @param checks   what else the attack must have left as it was
     */
    /**
     * Issue 13 point 6: a batch from a member that has not said hello for the tree (so there is no
     * endpoint to pull its files from yet) waits aside for the hello, holding up no other origin's
     * batches, and is applied when the hello comes.
     */
    @Test
    void aBatchFromAMemberThatHasNotSaidHelloHoldsUpNoOne() throws Exception {
        try (HostilePeer eve = HostilePeer.start("eve", false, Files.createDirectory(tmp.resolve("eve")), CLUSTER,
                secret, new InetSocketAddress("127.13.0.4", port), port + 1, nodes)) {
            FileState held = eve.serve("from-eve.txt", bytes("held for eve's hello\n"));
            eve.send(VICTIM, eve.create("from-eve.txt", held));
            await(() -> victim.log().contains("batch eve#1 waits for eve's hello"), "eve's batch held for its hello");
            Files.writeString(honestTree.resolve("while-eve-is-silent.txt"), "from the honest node\n");
            awaitContent(victimTree.resolve("while-eve-is-silent.txt"), "from the honest node\n");
            assertFalse(Files.exists(victimTree.resolve("from-eve.txt"), LinkOption.NOFOLLOW_LINKS),
                    "eve's file cannot be pulled before eve says where from");
            eve.greet();
            awaitContent(victimTree.resolve("from-eve.txt"), "held for eve's hello\n");
            assertTrue(victim.log().contains("1 batches of eve held for its hello go to be applied"), victim.log());
        }
        afterTheAttack(List.of());
    }

    private void afterTheAttack(List<String> attempts, Executable... checks) throws Exception {
        FileState marker = mallory.serve("after-the-attack.txt", bytes("an honest file from mallory\n"));
        mallory.send(VICTIM, mallory.create("after-the-attack.txt", marker));
        awaitContent(victimTree.resolve("after-the-attack.txt"), "an honest file from mallory\n");
        List<Executable> all = new ArrayList<>(List.of(checks));
        all.addAll(List.of(
                () -> assertTrue(victim.isAlive(), "the victim still runs"),
                () -> assertEquals(List.of(), canary.changesSince(canaryBefore), "nothing outside the tree changed"),
                () -> assertLogged(attempts),
                this::awaitStagingEmpty,
                this::assertStillSyncsWithTheHonestNode));
        assertAll("after the attack", all.stream());
    }

    private void assertLogged(List<String> attempts) throws IOException {
        List<String> warnings = victim.log().lines()
                .filter(l -> l.matches("([-0-9]+ [:.0-9]+ )?(WARN|ERROR) .*")).toList();
        List<String> missing = new ArrayList<>();
        for (String attempt : attempts) {
            List<String> names = List.of(attempt.split(" or "));
            if (warnings.stream().noneMatch(w -> names.stream().anyMatch(w::contains))) missing.add(attempt);
        }
        assertEquals(List.of(), missing, "attempts not logged as a warning naming the path; the victim's warnings:\n"
                + String.join("\n", warnings));
    }

    private void assertStillSyncsWithTheHonestNode() throws Exception {
        Files.writeString(honestTree.resolve("from-honest.txt"), "written on the honest node\n");
        Files.writeString(victimTree.resolve("from-victim.txt"), "written on the victim\n");
        awaitContent(victimTree.resolve("from-honest.txt"), "written on the honest node\n");
        awaitContent(honestTree.resolve("from-victim.txt"), "written on the victim\n");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Replaces {@code file} with {@code mib} MiB of random bytes. */
    private static void writeRandom(Path file, int mib) throws IOException {
        byte[] block = new byte[1 << 20];
        Random random = new Random(mib);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < mib; i++) {
                random.nextBytes(block);
                out.write(block);
            }
        }
    }

    /** A pull's staging dir goes right after its files are placed: it may still be there for a moment. */
    private void awaitStagingEmpty() throws Exception {
        Path staging = victimTree.resolve(".jclsync/incoming");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> left;
        while (!(left = staged(staging)).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("left in the staging dir " + staging + ": " + left);
            }
            Thread.sleep(20);
        }
    }

    /** Files below the staging dir (each pull's own dir and list file included). */
    private static List<String> staged(Path staging) throws IOException {
        try (Stream<Path> s = Files.walk(staging)) {
            return s.filter(p -> !p.equals(staging)).map(p -> staging.relativize(p).toString()).sorted().toList();
        } catch (UncheckedIOException e) {
            return List.of("changing: " + e.getCause());
        }
    }

    /** Waits until a pull has started writing a file below {@code staging}; returns it. */
    private Path awaitStaged(Path staging) throws Exception {
        Path[] found = new Path[1];
        await(() -> {
            try (Stream<Path> s = Files.walk(staging)) {
                found[0] = s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                        .filter(p -> !p.toString().endsWith(".list") && size(p) > 0).findFirst().orElse(null);
            } catch (IOException | UncheckedIOException changing) {
                return false;
            }
            return found[0] != null;
        }, "a pull writing below " + staging);
        return found[0];
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException gone) {
            return 0;
        }
    }

    private void awaitPath(Path p) throws Exception {
        await(() -> Files.exists(p, LinkOption.NOFOLLOW_LINKS), p + " to exist");
    }

    private void awaitContent(Path file, String content) throws Exception {
        await(() -> {
            try {
                return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                        && Arrays.equals(Files.readAllBytes(file), bytes(content));
            } catch (IOException changing) {
                return false;
            }
        }, file + " to hold '" + content.strip() + "'");
    }

    private String awaitStatus(Predicate<String> ok, String what) throws Exception {
        Path file = victimState.resolve("status.json");
        String[] last = {""};
        await(() -> {
            try {
                last[0] = Files.exists(file) ? Files.readString(file) : "";
            } catch (IOException changing) {
                return false;
            }
            return ok.test(last[0]);
        }, "a status with " + what);
        return last[0];
    }

    private static long rejected(String status) {
        return counter(status, "rejected_messages");
    }

    private static long counter(String status, String name) {
        Matcher m = Pattern.compile("\"" + name + "\": (\\d+)").matcher(status);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** Waits until the victim's status counts at least {@code n} as {@code name}. */
    private Executable counted(String name, long n) {
        return () -> awaitStatus(s -> counter(s, name) >= n, n + " " + name);
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    /** Waits at most {@link #WAIT} for {@code condition}; fails with the victim's log if it does not hold, or it dies. */
    private void await(Condition condition, String what) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.holds()) {
            if (!victim.isAlive()) {
                throw new AssertionError("the victim died waiting for " + what + "; log:\n" + victim.log());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; the victim's log:\n" + victim.log());
            }
            Thread.sleep(20);
        }
    }
}
