package io.jclsync.cluster.tls;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.cert.Certificate;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.logging.Logger;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * Where peers pull from: a TLS 1.3 listener that takes a connection only from a client whose key is
 * a current member's (its fingerprint said in that member's hello), and serves each such connection
 * with a process of its own (rsync in daemon-over-pipe mode) whose standard input and output are the
 * connection. Nothing is served before the client is known; at most 16 members' pulls at once, and
 * at most 64 handshakes, each closed after 10 s whatever it has sent.
 */
public final class TransferListener implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TransferListener.class.getName());
    private static final int MAX_CONNECTIONS = 16;
    /** Handshakes under way at once: unauthenticated, so kept apart from members' pulls and cut short. */
    private static final int MAX_HANDSHAKES = 64;
    private static final int HANDSHAKE_MILLIS = 10_000;
    /** How long a connection has to complete its handshake: {@link #HANDSHAKE_MILLIS}, shorter in tests. */
    private final int handshakeMillis;
    private static final long REFUSAL_LOG_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Closes a connection whose handshake has not ended in time, however slowly its bytes trickle in. */
    private static final ScheduledExecutorService DEADLINES = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jclsync-transfer-deadlines");
        t.setDaemon(true);
        return t;
    });

    /** Who may connect. */
    public interface Members {
        /** The name of the current member whose transfer key is {@code key}, or null. */
        String nameOf(Fingerprint key);
    }

    private final SSLServerSocket server;
    private final Members members;
    private final Function<String, ProcessBuilder> service;
    private final Semaphore slots = new Semaphore(MAX_CONNECTIONS);
    private final Semaphore handshakes = new Semaphore(MAX_HANDSHAKES);
    private final AtomicLong lastRefusalLogged = new AtomicLong(System.nanoTime() - REFUSAL_LOG_NANOS);
    private final AtomicLong refusalsNotLogged = new AtomicLong();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Set<Process> serving = ConcurrentHashMap.newKeySet();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();

    private TransferListener(SSLServerSocket server, Members members, Function<String, ProcessBuilder> service,
                             int handshakeMillis) {
        this.handshakeMillis = handshakeMillis;
        this.server = server;
        this.members = members;
        this.service = service;
    }

    /**
     * Listens on {@code bind}.
     *
     * @param service the process that serves a connection of the member named by its argument
     */
    public static TransferListener start(InetSocketAddress bind, NodeIdentity identity, Members members,
                                         Function<String, ProcessBuilder> service) throws IOException {
        return start(bind, identity, members, service, HANDSHAKE_MILLIS);
    }

    static TransferListener start(InetSocketAddress bind, NodeIdentity identity, Members members,
                                  Function<String, ProcessBuilder> service, int handshakeMillis) throws IOException {
        SSLServerSocket server = (SSLServerSocket) identity
                .context(new PinnedTrust(key -> members.nameOf(key) != null, "the key of a current member"))
                .getServerSocketFactory().createServerSocket();
        try {
            server.setReuseAddress(true);
            server.bind(bind, 64);
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot listen for peers' pulls on " + bind.getAddress().getHostAddress() + ":"
                    + bind.getPort() + " (" + e.getMessage() + "; is the port taken? see --transfer-port)", e);
        }
        server.setEnabledProtocols(NodeIdentity.protocols());
        server.setEnabledCipherSuites(NodeIdentity.cipherSuites());
        server.setNeedClientAuth(true);
        TransferListener listener = new TransferListener(server, members, service, handshakeMillis);
        Thread accept = new Thread(listener::acceptLoop, "jclsync-transfer-accept");
        accept.setDaemon(true);
        accept.start();
        return listener;
    }

    /** Connections refused: no member's key, a failed handshake, or too many at once. */
    public long refused() {
        return refused.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket c;
            try {
                c = server.accept();
            } catch (IOException e) {
                if (!server.isClosed()) LOG.warning("accepting a peer's pull failed: " + e);
                continue;
            }
            if (!handshakes.tryAcquire()) {
                refuse(c.getRemoteSocketAddress(), MAX_HANDSHAKES + " connections are being checked already");
                Splice.quietly(c);
                continue;
            }
            open.add(c);
            Thread t = new Thread(() -> {
                try {
                    serve((SSLSocket) c);
                } finally {
                    open.remove(c);
                    Splice.quietly(c);
                }
            }, "jclsync-transfer-" + connections.incrementAndGet());
            t.setDaemon(true);
            t.start();
        }
    }

    /**
     * Counts a refused connection; logs it, but at most once per 10 s with how many were not logged,
     * so that anyone who can reach the port cannot flood the log.
     */
    private void refuse(Object from, String why) {
        refused.incrementAndGet();
        long now = System.nanoTime();
        long last = lastRefusalLogged.get();
        if (now - last < REFUSAL_LOG_NANOS || !lastRefusalLogged.compareAndSet(last, now)) {
            refusalsNotLogged.incrementAndGet();
            return;
        }
        long more = refusalsNotLogged.getAndSet(0);
        LOG.warning("refused a pull from " + from + ": " + why + (more == 0 ? "" : " (and " + more + " more refused since the last one logged)"));
    }

    private void serve(SSLSocket c) {
        String from = String.valueOf(c.getRemoteSocketAddress());
        String peer;
        ScheduledFuture<?> deadline = DEADLINES.schedule(() -> Splice.quietly(c), handshakeMillis, TimeUnit.MILLISECONDS);
        try {
            c.setSoTimeout(handshakeMillis);
            c.startHandshake();
            peer = member(c);
            c.setSoTimeout(0);
        } catch (IOException e) {
            refuse(from, e.getMessage());
            return;
        } finally {
            deadline.cancel(false);
            handshakes.release();
        }
        if (c.isClosed()) {
            refuse(from, "its handshake took longer than " + handshakeMillis + " ms");
            return;
        }
        if (!slots.tryAcquire()) {
            refuse(from + " (" + peer + ")", MAX_CONNECTIONS + " pulls are served already");
            return;
        }
        try {
            serveMember(c, peer);
        } finally {
            slots.release();
        }
    }

    private void serveMember(SSLSocket c, String peer) {
        ProcessBuilder command = service.apply(peer);
        Process p = null;
        try {
            p = command.start();
            serving.add(p);
            Splice.run(Thread.currentThread().getName(), Splice.End.of(c), Splice.End.of(p));
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
            int code = p.waitFor();
            if (code != 0) LOG.warning(command.command().get(0) + " serving " + peer + " (pid " + p.pid() + ") exited with code " + code);
        } catch (IOException e) {
            LOG.warning("cannot serve " + peer + "'s pull: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (p != null) {
                p.destroyForcibly();
                serving.remove(p);
            }
        }
    }

    /**
     * The member the client is: checked again after the handshake, as the trust check may have
     * been skipped for a resumed session, or the member may have left since.
     */
    private String member(SSLSocket c) throws SSLPeerUnverifiedException {
        Certificate[] chain = c.getSession().getPeerCertificates();
        Fingerprint key = Fingerprint.of(chain[0].getPublicKey());
        String name = members.nameOf(key);
        if (name == null) throw new SSLPeerUnverifiedException("transfer key " + key + " is no current member's");
        return name;
    }

    @Override
    public void close() {
        Splice.quietly(server);
        open.forEach(Splice::quietly);
        serving.forEach(Process::destroyForcibly);
    }
}
