package io.jclsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster trees in {@code --ctl-socket} hosts: two host processes (n1 on 127.0.0.2, n2 on
 * 127.0.0.3) in one cluster, each tree added at runtime with {@code jclsync ctl}. Each tree is
 * replicated on its own over the hosts' one channel and one rsync daemon: a tree syncs with the
 * same tree on the other host only, a tree only one host has stays there, and a removed tree
 * stops while the others go on.
 */
class ClusterHostIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;
    private final List<JclsyncProcess> hosts = new ArrayList<>();
    private int port;

    @AfterEach
    void stop() throws Exception {
        for (JclsyncProcess h : hosts) h.close();
    }

    private Path socket(int i) {
        return tmp.resolve("ctl" + (i + 1) + ".sock");
    }

    private JclsyncProcess startHost(int i) throws IOException {
        String[] peers = {"127.0.0.2:" + port, "127.0.0.3:" + port};
        return JclsyncProcess.start(tmp.resolve("host" + (i + 1) + ".log"), "--ctl-socket", socket(i).toString(),
                "-H", tmp.resolve("jclsync.conf").toString(),
                "-M", "cluster", "--cluster-name", "hosts", "--node-name", "n" + (i + 1),
                "--cluster-secret-file", tmp.resolve("secret").toString(), "--cluster-bind", peers[i],
                "--cluster-peers", String.join(",", peers), "--transfer-port", Integer.toString(port + 1),
                "--state-dir", tmp.resolve("state" + (i + 1)).toString(), "-t", "0.3", "-v");
    }

    private JclsyncProcess.Result ctl(int host, String... args) throws Exception {
        JclsyncProcess.Result r = ctlMayFail(host, args);
        assertEquals(0, r.exitCode(), r.output() + "\n" + hosts.get(host).log());
        return r;
    }

    private JclsyncProcess.Result ctlMayFail(int host, String... args) throws Exception {
        List<String> full = new ArrayList<>(List.of("ctl", "--socket", socket(host).toString()));
        full.addAll(List.of(args));
        return JclsyncProcess.run(tmp.resolve("ctl.out"), WAIT, full.toArray(String[]::new));
    }

    /** Tree {@code name} of host {@code i}. */
    private Path tree(int i, String name) throws IOException {
        return Files.createDirectories(tmp.resolve("n" + (i + 1)).resolve(name));
    }

    @Test
    void eachTreeOfAHostIsReplicatedOnItsOwnOverTheHostsChannel() throws Exception {
        Files.writeString(tmp.resolve("secret"), "the secret of the hosts\n");
        Files.setPosixFilePermissions(tmp.resolve("secret"), PosixFilePermissions.fromString("rw-------"));
        port = ThreadLocalRandom.current().nextInt(20000, 40000);
        // A block for a tree of the same cluster with another transfer port: refused, the channel is shared.
        Files.writeString(tmp.resolve("jclsync.conf"), String.join("\n", "[odd]", "mode = cluster", "cluster-name = hosts",
                "node-name = n1", "cluster-secret-file = " + tmp.resolve("secret"), "cluster-bind = 127.0.0.2:" + port,
                "cluster-peers = 127.0.0.2:" + port + ",127.0.0.3:" + port, "transfer-port = " + (port + 2),
                "state-dir = " + tmp.resolve("state1"), ""));
        Files.writeString(tree(0, "web").resolve("index.html"), "web, before it was added\n");
        Files.writeString(tree(1, "db").resolve("data.txt"), "db, before it was added\n");
        Files.writeString(tree(0, "solo").resolve("mine.txt"), "only n1 has this tree\n");
        hosts.add(startHost(0));
        hosts.add(startHost(1));
        for (JclsyncProcess h : hosts) h.awaitLog("control socket", WAIT);
        for (int i = 0; i < 2; i++) {
            ctl(i, "add", "web", tree(i, "web").toString());
            ctl(i, "add", "db", tree(i, "db").toString());
        }
        ctl(0, "add", "solo", tree(0, "solo").toString());

        // What each tree held before it was added reaches the same tree on the other host, and only it.
        Trees.awaitEqual(tree(0, "web"), tree(1, "web"), WAIT, hosts.get(1));
        Trees.awaitEqual(tree(1, "db"), tree(0, "db"), WAIT, hosts.get(0));
        assertEquals("web, before it was added\n", Files.readString(tree(1, "web").resolve("index.html")));
        assertFalse(Files.exists(tree(1, "db").resolve("index.html")), "trees do not mix");
        Files.writeString(tree(1, "web").resolve("from-n2.txt"), "written on n2\n");
        Files.writeString(tree(0, "db").resolve("from-n1.txt"), "written on n1\n");
        Trees.awaitContent(tree(0, "web").resolve("from-n2.txt"), "written on n2\n", WAIT, hosts.get(0));
        Trees.awaitContent(tree(1, "db").resolve("from-n1.txt"), "written on n1\n", WAIT, hosts.get(1));
        try (var files = Files.list(tmp.resolve("n2"))) {
            assertEquals(List.of("db", "web"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "the tree only n1 serves stays there");
        }
        assertTrue(Files.exists(tmp.resolve("state1/trees/web/counters.json")), "each tree keeps its own state");
        Trees.awaitText(tmp.resolve("state2/trees/db/status.json"), t -> t.contains("\"peers\": [\"n1\"]"), WAIT,
                "a status listing n1 as db's only peer", hosts.get(1));

        // `jclsync members` sees the hosts as members, with the trees they serve.
        JclsyncProcess.Result members = JclsyncProcess.run(tmp.resolve("members.out"), WAIT, "members",
                "--cluster-name", "hosts", "--node-name", "probe", "--cluster-secret-file", tmp.resolve("secret").toString(),
                "--cluster-bind", "127.0.0.4:" + port, "--cluster-peers", "127.0.0.2:" + port + ",127.0.0.3:" + port,
                "--expect", "3", "--listen", "4");
        assertEquals(0, members.exitCode(), members.output());
        assertTrue(members.output().contains("n1  ok (a --ctl-socket host: 3 tree(s))"), members.output());
        assertTrue(members.output().contains("n2  ok (a --ctl-socket host: 2 tree(s))"), members.output());

        JclsyncProcess.Result odd = ctlMayFail(0, "add", "odd", tree(0, "odd").toString(), "-K", "odd");
        assertEquals(1, odd.exitCode(), odd.output());
        hosts.get(0).awaitLog("is already joined with other options", WAIT);

        // Removing web from n2 stops it there; db goes on.
        ctl(1, "remove", "web");
        Files.writeString(tree(0, "web").resolve("after-remove.txt"), "not for n2\n");
        Files.writeString(tree(0, "db").resolve("after-remove.txt"), "db still syncs\n");
        Trees.awaitContent(tree(1, "db").resolve("after-remove.txt"), "db still syncs\n", WAIT, hosts.get(1));
        assertFalse(Files.exists(tree(1, "web").resolve("after-remove.txt")), "web was removed from n2");
        assertTrue(Files.exists(tmp.resolve("state2/trees/web/index")), "a removed tree's index is saved");
        assertTrue(ctl(0, "list").output().contains("web\t" + tree(0, "web") + "\trunning\t"), "n1's web goes on");
        assertFalse(hosts.get(0).log().contains("SEVERE"), hosts.get(0).log());
    }
}
