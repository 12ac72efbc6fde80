package io.jclsync.cluster.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jclsync.cluster.PrivateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import java.net.SocketTimeoutException;
import java.util.ArrayList;

/** A real listener and real tunnels on loopback, serving each connection with a real process. */
class TransferListenerTest {
    private final NodeIdentity server = NodeIdentity.create("n1");
    private final NodeIdentity member = NodeIdentity.create("n2");
    private final NodeIdentity stranger = NodeIdentity.create("n2");
    private final Map<Fingerprint, String> members = new ConcurrentHashMap<>(Map.of(member.fingerprint(), "n2"));
    private final List<String> served = new CopyOnWriteArrayList<>();
    private TransferListener listener;
    private InetSocketAddress address;

    /** Serves each connection with {@code cat} after a greeting: what the client sends comes back. */
    private void listen() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        listener = TransferListener.start(address, server, members::get, peer -> {
            served.add(peer);
            return new ProcessBuilder("sh", "-c", "echo hello " + peer + "; exec cat");
        }, 1500);
    }

    @AfterEach
    void close() {
        if (listener != null) listener.close();
    }

    @Test
    void aMembersTunnelCarriesBothWaysUntilBothEnd() throws Exception {
        listen();
        byte[] data = new byte[3 << 20];
        ThreadLocalRandom.current().nextBytes(data);
        try (TransferTunnel t = TransferTunnel.open(member, address, server.fingerprint(), "n1");
             Socket s = new Socket(InetAddress.getLoopbackAddress(), t.port())) {
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = s.getOutputStream(); // closing it would close the socket
                    out.write(data);
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            writer.start();
            InputStream in = s.getInputStream();
            byte[] all = in.readAllBytes();
            writer.join();
            String greeting = "hello n2\n";
            assertEquals(greeting, new String(all, 0, greeting.length(), StandardCharsets.US_ASCII));
            byte[] echoed = Arrays.copyOfRange(all, greeting.length(), all.length);
            assertArrayEquals(data, echoed, "every byte came back, then the end");
            assertThrows(IOException.class, () -> new Socket(InetAddress.getLoopbackAddress(), t.port()).close(),
                    "the tunnel takes one connection");
        }
        assertEquals(List.of("n2"), served);
    }

    /**
     * Another local user who connects to a pull's tunnel first (to deny the pull, or to reach the
     * peer's rsync through it) is closed on; this node's own client still gets through.
     */
    @Test
    void aConnectionFromAnotherLocalUserIsClosedOnAndTheNodesOwnStillGetsThrough() throws Exception {
        assumeTrue(PrivateFiles.runningUid() == 0, "connecting as another user needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv (util-linux)");
        listen();
        try (TransferTunnel t = TransferTunnel.open(member, address, server.fingerprint(), "n1")) {
            Process other = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    "bash", "-c", """
                            exec 3<>/dev/tcp/127.0.0.1/$1 || exit 9
                            read -r -t 10 line <&3; rc=$?
                            if [ $rc -eq 1 ] && [ -z "$line" ]; then echo closed
                            elif [ $rc -gt 128 ]; then echo "still open after 10 s"
                            else echo "served: $line"; fi
                            """, "-", Integer.toString(t.port())).redirectErrorStream(true).start();
            String said = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertEquals(0, other.waitFor(), said);
            assertEquals("closed", said, "uid 65534 got nothing through the tunnel");
            // A socket closed right after its bytes were sent is listed as root's, without an inode.
            Process hitAndRun = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/$1 && printf 'forged\\n' >&3 && exec 3>&-", "-",
                    Integer.toString(t.port())).redirectErrorStream(true).start();
            assertEquals(0, hitAndRun.waitFor(), new String(hitAndRun.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), t.port())) {
                s.setSoTimeout(10_000);
                byte[] greeting = s.getInputStream().readNBytes("hello n2\n".length());
                assertEquals("hello n2\n", new String(greeting, StandardCharsets.US_ASCII));
                s.getOutputStream().write("mine\n".getBytes(StandardCharsets.US_ASCII));
                byte[] echoed = s.getInputStream().readNBytes("mine\n".length());
                assertEquals("mine\n", new String(echoed, StandardCharsets.US_ASCII), "nothing forged came first");
            }
        }
        assertEquals(List.of("n2"), served, "the peer served this node's connection, and only it");
    }

    @Test
    void aClientWhoseKeyIsNoMembersIsRefusedAndNothingIsServed() throws Exception {
        listen();
        assertEquals(0, bytesServedTo(stranger), "a stranger gets nothing");
        assertEquals(List.of(), served, "no process was started for it");
        awaitRefused(1);
        members.remove(member.fingerprint());
        assertEquals(0, bytesServedTo(member), "a member that left is refused");
        assertEquals(List.of(), served);
        awaitRefused(2);
    }

    /**
     * Until the listener has counted {@code n} refusals: the client sees the connection end when the
     * server closes it, a moment before the server's thread counts the refusal.
     */
    private void awaitRefused(long n) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (listener.refused() < n && System.nanoTime() < deadline) Thread.sleep(10);
        assertEquals(n, listener.refused(), "refusals counted");
    }

    /**
     * What a client with {@code key} is sent. TLS 1.3: the client may finish its handshake before the
     * server has checked its key, so a refusal ends the connection then or at the first read.
     */
    private int bytesServedTo(NodeIdentity key) throws Exception {
        try (TransferTunnel t = TransferTunnel.open(key, address, server.fingerprint(), "n1");
             Socket s = new Socket(InetAddress.getLoopbackAddress(), t.port())) {
            return s.getInputStream().readAllBytes().length;
        } catch (IOException refused) {
            return 0;
        }
    }

    @Test
    void aServerWithAnotherKeyThanThePinnedOneIsNotTalkedTo() throws Exception {
        listen();
        String why = assertThrows(IOException.class,
                () -> TransferTunnel.open(member, address, stranger.fingerprint(), "n1")).getMessage();
        assertTrue(why.contains("n1") && why.contains(stranger.fingerprint().toString()), why);
        assertEquals(List.of(), served);
    }

    /**
     * Found by review: a slot was taken at accept, before any TLS, and only a read timeout bounded a
     * handshake, so anyone who could reach the port could hold every slot by trickling bytes. A
     * handshake now has a deadline for the whole of it, and members' pulls slots of their own.
     */
    @Test
    void aHandshakeThatTricklesIsCutAtItsDeadlineAndMembersAreStillServed() throws Exception {
        listen();
        List<Socket> trickling = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) trickling.add(new Socket(address.getAddress(), address.getPort()));
            long start = System.nanoTime();
            for (int i = 0; i < 12; i++) { // a byte every 250 ms: never quiet long enough for a read timeout
                for (Socket s : trickling) {
                    try {
                        s.getOutputStream().write(0x16);
                    } catch (IOException closed) {
                        // cut by the server
                    }
                }
                Thread.sleep(250);
            }
            for (Socket s : trickling) {
                s.setSoTimeout(2000);
                assertEquals(-1, readOrEnd(s), "the server closed a handshake that took too long");
            }
            assertTrue(System.nanoTime() - start < 10_000_000_000L);
            try (TransferTunnel t = TransferTunnel.open(member, address, server.fingerprint(), "n1");
                 Socket s = new Socket(InetAddress.getLoopbackAddress(), t.port())) {
                s.shutdownOutput();
                assertEquals("hello n2\n", new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII),
                        "a member is served");
            }
            assertEquals(List.of("n2"), served);
        } finally {
            for (Socket s : trickling) s.close();
        }
    }

    /** -1 once the server has closed {@code s} (an end or a reset); 0 if it is still open after the read timeout. */
    private static int readOrEnd(Socket s) {
        try {
            while (s.getInputStream().read() >= 0) {
                // an alert, say: read on to the end
            }
            return -1;
        } catch (SocketTimeoutException stillOpen) {
            return 0;
        } catch (IOException reset) {
            return -1;
        }
    }

    /** TLS 1.3 with AES-GCM is all a member can get: the listener answers anything else with an alert. */
    @Test
    void aMemberOfferingTls12OrAnotherCipherIsRefusedAndNothingIsServed() throws Exception {
        listen();
        assertRefusedHandshake(new String[] {"TLSv1.2"}, new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"});
        assertRefusedHandshake(new String[] {"TLSv1.3"}, new String[] {"TLS_CHACHA20_POLY1305_SHA256"});
        assertEquals(List.of(), served);
        awaitRefused(2);
    }

    private void assertRefusedHandshake(String[] protocols, String[] suites) throws Exception {
        try (SSLSocket s = (SSLSocket) member.context(new PinnedTrust(server.fingerprint()::equals, "n1"))
                .getSocketFactory().createSocket(address.getAddress(), address.getPort())) {
            s.setEnabledProtocols(protocols);
            s.setEnabledCipherSuites(suites);
            s.setSoTimeout(5000);
            String offered = String.join(",", protocols) + " " + String.join(",", suites);
            SSLException e = assertThrows(SSLException.class, s::startHandshake, offered);
            assertTrue(e.getMessage().contains("alert"), offered + ": the listener refused it, not this client: " + e);
        }
    }

    @Test
    void aPlainTextClientGetsNothing() throws Exception {
        listen();
        try (Socket s = new Socket(address.getAddress(), address.getPort())) {
            s.getOutputStream().write("@RSYNCD: 32.0\n".getBytes(StandardCharsets.US_ASCII));
            byte[] answer = s.getInputStream().readAllBytes();
            assertTrue(!new String(answer, StandardCharsets.ISO_8859_1).contains("RSYNCD"), "no rsync greeting in clear");
        } catch (IOException reset) {
            // refused outright: fine too
        }
        assertEquals(List.of(), served);
    }
}
