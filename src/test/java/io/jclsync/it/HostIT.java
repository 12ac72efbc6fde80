package io.jclsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.nio.channels.Channels;

/**
 * One jclsync process serving many trees ({@code --ctl-socket}), added and removed at runtime with
 * {@code jclsync ctl} as a container start/stop hook would: the new tree syncs, the removed one
 * stops, the others are not disturbed.
 */
class HostIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;
    JclsyncProcess host;

    @AfterEach
    void stop() throws Exception {
        if (host != null) host.close();
    }

    private JclsyncProcess.Result ctl(String... args) throws Exception {
        return ctlAt(tmp.resolve("ctl.sock"), args);
    }

    private JclsyncProcess.Result ctlAt(Path socket, String... args) throws Exception {
        String[] full = new String[args.length + 3];
        full[0] = "ctl";
        full[1] = "--socket";
        full[2] = socket.toString();
        System.arraycopy(args, 0, full, 3, args.length);
        return JclsyncProcess.run(tmp.resolve("ctl.out"), WAIT, full);
    }

    private static void awaitFile(Path file, String content, JclsyncProcess p) throws Exception {
        Trees.awaitContent(file, content, WAIT, p);
    }

    @Test
    void treesAreAddedListedAndRemovedAtRuntime() throws Exception {
        Path dst = Files.createDirectories(tmp.resolve("dst"));
        Path a = Files.createDirectories(tmp.resolve("containers/a"));
        Path b = Files.createDirectories(tmp.resolve("containers/b"));
        Files.createDirectories(dst.resolve("a"));
        Files.createDirectories(dst.resolve("b"));
        Files.writeString(a.resolve("before"), "in a before it was added");
        Path socket = tmp.resolve("ctl.sock");
        host = JclsyncProcess.start(tmp.resolve("host.log"), "--ctl-socket", socket.toString(),
                "-D", dst + "/%n", "-t", "0.2", "--status-file", tmp.resolve("%n.status").toString());
        host.awaitLog("control socket", WAIT);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)), "owner only");

        JclsyncProcess.Result added = ctl("add", "a", a.toString());
        assertEquals(0, added.exitCode(), added.output() + host.log());
        assertTrue(added.output().startsWith("added a (" + a + ")"), added.output());
        awaitFile(dst.resolve("a/before"), "in a before it was added", host);
        assertEquals(0, ctl("add", "b", b.toString()).exitCode(), host.log());
        Files.writeString(a.resolve("live"), "a live");
        Files.writeString(b.resolve("live"), "b live");
        awaitFile(dst.resolve("a/live"), "a live", host);
        awaitFile(dst.resolve("b/live"), "b live", host);
        assertTrue(Files.exists(tmp.resolve("a.status")) && Files.exists(tmp.resolve("b.status")), "a status file per tree");

        JclsyncProcess.Result list = ctl("list");
        assertEquals(0, list.exitCode(), list.output());
        assertTrue(list.output().startsWith("2 tree(s)\n"), list.output());
        assertTrue(list.output().contains("a\t" + a + "\trunning\t"), list.output());
        assertTrue(list.output().contains("b\t" + b + "\trunning\t"), list.output());
        JclsyncProcess.Result status = ctl("status");
        assertEquals(0, status.exitCode(), status.output());
        List<String> lines = status.output().lines().toList();
        assertEquals(2, lines.size(), status.output());
        assertTrue(lines.get(0).startsWith("{\"label\": \"a\", \"mode\": \"rsyncdirect\", \"state\": \""), lines.get(0));
        assertTrue(lines.get(1).startsWith("{\"label\": \"b\""), lines.get(1));
        assertTrue(lines.get(0).contains("\"initial_sync\": {\"done\": true"), lines.get(0));

        // Mistakes are refused with the reason; nothing else changes.
        JclsyncProcess.Result dup = ctl("add", "a", b.toString());
        assertEquals(1, dup.exitCode());
        assertTrue(dup.output().contains("tree a exists"), dup.output());
        JclsyncProcess.Result overlap = ctl("add", "c", a.resolve("sub").toString());
        assertEquals(1, overlap.exitCode());
        assertTrue(overlap.output().contains("overlaps tree a"), overlap.output());
        JclsyncProcess.Result missing = ctl("add", "d", tmp.resolve("nope").toString());
        assertEquals(1, missing.exitCode());
        assertTrue(missing.output().contains("does not exist"), missing.output());

        JclsyncProcess.Result removed = ctl("remove", "a");
        assertEquals(0, removed.exitCode(), removed.output());
        Files.writeString(a.resolve("after-remove"), "not synced");
        Files.writeString(b.resolve("after-remove"), "b still syncs");
        awaitFile(dst.resolve("b/after-remove"), "b still syncs", host);
        assertFalse(Files.exists(dst.resolve("a/after-remove")), "a stopped when it was removed");
        assertTrue(ctl("list").output().startsWith("1 tree(s)\n"));
        Path c = Files.createDirectories(tmp.resolve("containers/c"));
        Files.createDirectories(dst.resolve("c"));
        assertEquals(0, ctl("add", "c", c.toString()).exitCode(), host.log());

        // A restart brings back the trees added with ctl; one whose dir is gone meanwhile is listed, not lost.
        assertEquals(0, host.terminate(WAIT), host.log());
        Files.delete(c);
        // This time with a config file: a tree may be configured by a block of its own.
        Path otherSrc = Files.createDirectories(tmp.resolve("other-src"));
        Path otherDst = Files.createDirectories(tmp.resolve("other-dst"));
        Path conf = tmp.resolve("jclsync.conf");
        Files.writeString(conf, "[other]\nwatch-dir = " + otherSrc + "\ndestination-dir = " + otherDst
                + "\ndelay-collect = 0.2\n");
        host = JclsyncProcess.start(tmp.resolve("host2.log"), "--ctl-socket", socket.toString(), "-H", conf.toString(),
                "-D", dst + "/%n", "-t", "0.2", "--status-file", tmp.resolve("%n.status").toString());
        host.awaitLog("control socket", WAIT);
        JclsyncProcess.Result after = ctl("list");
        assertTrue(after.output().startsWith("2 tree(s)\n"), after.output() + host.log());
        assertTrue(after.output().contains("b\t" + b + "\trunning\t"), after.output());
        assertTrue(after.output().contains("c\t" + c + "\tnot-started\t"), after.output());
        assertTrue(host.log().contains("tree c (" + c + ") of " + socket + ".trees did not start"), host.log());
        Files.writeString(b.resolve("after-restart"), "b syncs again");
        awaitFile(dst.resolve("b/after-restart"), "b syncs again", host);
        assertEquals(0, ctl("remove", "c").exitCode(), host.log());

        Files.writeString(otherSrc.resolve("f"), "configured by its block");
        JclsyncProcess.Result other = ctl("add", "other", "-K", "other");
        assertEquals(0, other.exitCode(), other.output() + host.log());
        awaitFile(otherDst.resolve("f"), "configured by its block", host);
        assertFalse(Files.exists(dst.resolve("other")), "the block's destination, not the host's -D");
        JclsyncProcess.Result nope = ctl("add", "x", "-K", "nope");
        assertEquals(1, nope.exitCode());
        assertTrue(nope.output().contains("no block [nope]"), nope.output());
        assertEquals(List.of("b\t\t" + b, "other\tother\t"), Files.readAllLines(Path.of(socket + ".trees")).stream()
                .filter(l -> !l.startsWith("#")).toList(), "the trees file holds what is left");

        assertEquals(0, host.terminate(WAIT), host.log());
        assertFalse(Files.exists(socket), "the socket is removed on stop");
        JclsyncProcess.Result gone = ctl("list");
        assertEquals(2, gone.exitCode());
        assertTrue(gone.output().contains("is jclsync running with --ctl-socket"), gone.output());
    }

    /** A client that connects and says nothing, or half a request, is dropped after 5 s; meanwhile others are served. */
    @Test
    @org.junit.jupiter.api.Timeout(90) // before the fix, the second client waited for the silent one forever
    void aSilentClientIsDroppedWithoutStallingOthers() throws Exception {
        Path socket = tmp.resolve("run/ctl.sock");
        host = JclsyncProcess.start(tmp.resolve("host.log"), "--ctl-socket", socket.toString(), "-D", tmp + "/%n");
        host.awaitLog("control socket", WAIT);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())),
                "a missing socket dir is made 0700");
        try (SocketChannel silent = SocketChannel.open(UnixDomainSocketAddress.of(socket));
             SocketChannel slow = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            long opened = System.nanoTime();
            slow.write(ByteBuffer.wrap("li".getBytes(StandardCharsets.UTF_8)));
            try (SocketChannel other = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                other.write(ByteBuffer.wrap("list\n".getBytes(StandardCharsets.UTF_8)));
                assertEquals("ok 0 tree(s)\n", readAll(other));
            }
            assertTrue(System.nanoTime() - opened < 2_000_000_000L, "answered while the silent clients wait");
            JclsyncProcess.Result list = ctlAt(socket, "list");
            assertEquals(0, list.exitCode(), list.output() + host.log());
            assertTrue(list.output().startsWith("0 tree(s)"), list.output());
            assertEquals("", readAll(silent), "the server closes the silent client without an answer");
            assertEquals("", readAll(slow));
            long dropped = (System.nanoTime() - opened) / 1_000_000;
            assertTrue(dropped >= 4_500 && dropped < 15_000, "dropped after the 5 s timeout: " + dropped + " ms");
        }
        host.awaitLog("dropped a client that did not send its request", WAIT);
        JclsyncProcess.Result list = ctlAt(socket, "list");
        assertEquals(0, list.exitCode(), "still serving: " + list.output() + host.log());
    }

    private static String readAll(SocketChannel ch) throws Exception {
        return new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Whoever may write the socket's directory could put a socket of their own in its place. */
    @Test
    void aSocketDirOthersMayWriteIsRefused() throws Exception {
        Path shared = Files.createDirectories(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path socket = shared.resolve("ctl.sock");
        host = JclsyncProcess.start(tmp.resolve("host.log"), "--ctl-socket", socket.toString(), "-D", tmp + "/%n");
        assertEquals(2, host.waitFor(WAIT), "a usage error: " + host.log());
        assertTrue(host.log().contains("the ctl socket's directory " + shared + " is writable by group or others (mode 777)"),
                host.log());
        assertTrue(host.log().contains("chmod go-w " + shared), host.log());
        assertFalse(Files.exists(socket), "no socket made there");
    }
}
