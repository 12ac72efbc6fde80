package io.jclsync.cluster.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.net.ssl.SSLSocket;

/**
 * One pull's way to a peer: a TLS 1.3 connection to the peer's {@link TransferListener}, made and
 * checked against the key pinned for that peer first, then offered to the local rsync client as a
 * plain listening socket on 127.0.0.1 that takes one connection, from this node's own user, and
 * forwards it. Another local user who connects to it is closed on ({@link LocalPeer}): it can
 * neither take the pull's place nor reach the peer's rsync.
 */
public final class TransferTunnel implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TransferTunnel.class.getName());
    private static final int CONNECT_MILLIS = 10_000;
    /** How long the local rsync has to connect. */
    private static final int ACCEPT_MILLIS = 30_000;

    private final SSLSocket remote;
    private final ServerSocket local;
    private volatile Socket accepted;

    private final String name;

    private TransferTunnel(SSLSocket remote, ServerSocket local, String name) {
        this.remote = remote;
        this.local = local;
        this.name = name;
    }

    /**
     * Connects to {@code peer}, whose key must be {@code expected}.
     *
     * @param name the peer's node name, for messages
     * @throws IOException when it cannot be reached or its key is not {@code expected}
     */
    public static TransferTunnel open(NodeIdentity identity, InetSocketAddress peer, Fingerprint expected, String name)
            throws IOException {
        SSLSocket remote = (SSLSocket) identity.context(new PinnedTrust(expected::equals, name + "'s (" + expected + ")"))
                .getSocketFactory().createSocket();
        ServerSocket local = null;
        try {
            remote.setEnabledProtocols(NodeIdentity.protocols());
            remote.setEnabledCipherSuites(NodeIdentity.cipherSuites());
            remote.connect(peer, CONNECT_MILLIS);
            remote.setSoTimeout(CONNECT_MILLIS);
            remote.startHandshake();
            remote.setSoTimeout(0);
            // 127.0.0.1 as such: the rsync URL names it (the JDK's loopback may be ::1).
            local = new ServerSocket(0, 8, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
        } catch (IOException e) {
            Splice.quietly(remote);
            if (local != null) Splice.quietly(local);
            throw new IOException("TLS to " + name + " at " + peer.getAddress().getHostAddress() + ":" + peer.getPort()
                    + ": " + e.getMessage(), e);
        }
        TransferTunnel tunnel = new TransferTunnel(remote, local, name);
        Thread t = new Thread(tunnel::forward, "jclsync-tunnel-" + local.getLocalPort());
        t.setDaemon(true);
        t.start();
        return tunnel;
    }

    /** The port on 127.0.0.1 the local rsync connects to. */
    public int port() {
        return local.getLocalPort();
    }

    /**
     * Takes the first connection made by this node's own user: another local user reaching the
     * port first (to deny this pull, or to reach the peer's rsync through it) is closed on, logged
     * once, and the tunnel waits on for its rsync.
     */
    private void forward() {
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ACCEPT_MILLIS);
            Socket c;
            for (int refused = 0; ; ) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) throw new SocketTimeoutException("no connection from this node's rsync");
                local.setSoTimeout((int) left);
                c = local.accept();
                int[] uids;
                try {
                    uids = LocalPeer.uids(c);
                } catch (IOException | RuntimeException e) {
                    Splice.quietly(c);
                    throw new IOException("cannot tell who connected (/proc/self/net/tcp): " + e, e);
                }
                if (uids[0] >= 0 && uids[0] == uids[1]) break;
                Splice.quietly(c);
                if (refused++ == 0) {
                    LOG.warning("tunnel to " + name + " on 127.0.0.1:" + port() + ": refused a connection from "
                            + (uids[1] < 0 ? "a socket /proc/self/net/tcp and tcp6 do not list"
                            : uids[0] < 0 ? "a socket already closed" : "uid " + uids[0])
                            + "; only this node's user may use it");
                }
            }
            accepted = c;
            local.close();
            Splice.run(Thread.currentThread().getName(), Splice.End.of(c), Splice.End.of(remote));
        } catch (IOException e) {
            LOG.fine("tunnel on port " + port() + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close();
        }
    }

    @Override
    public void close() {
        Splice.quietly(local);
        Splice.quietly(remote);
        Socket c = accepted;
        if (c != null) Splice.quietly(c);
    }
}
