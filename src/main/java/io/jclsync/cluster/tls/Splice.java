package io.jclsync.cluster.tls;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;

/**
 * Joins two byte streams both ways: what one end sends the other receives, until both have ended.
 * An end that stops sending is half-closed at the other (rsync's protocol ends with one side's
 * last words after the other side has finished); a failure either way closes both ends.
 */
final class Splice {
    private static final Logger LOG = Logger.getLogger(Splice.class.getName());
    private static final int BUFFER = 64 * 1024;

    /**
     * One end of a splice.
     *
     * @param endOutput tells the end that nothing more will come (a socket's half-close, a pipe's close)
     * @param close     closes the end whole
     */
    record End(InputStream in, OutputStream out, Closeable endOutput, Closeable close) {
        static End of(Socket s) throws IOException {
            return new End(s.getInputStream(), s.getOutputStream(), s::shutdownOutput, s);
        }

        static End of(Process p) {
            return new End(p.getInputStream(), p.getOutputStream(), p.getOutputStream(), () -> {
                p.getOutputStream().close();
                p.getInputStream().close();
            });
        }
    }

    private Splice() {}

    /**
     * Once one way has ended, how long the other may still take (rsync's last words) before both ends
     * are closed: a peer that vanished mid-pull (power lost, partitioned) never sends its end, and
     * would hold the connection, its threads and its process for good.
     */
    static final long LAST_WORDS_MILLIS = 30_000;

    /**
     * Copies {@code a} to {@code b} on a new thread and {@code b} to {@code a} on this one; returns when
     * both ended, or {@link #LAST_WORDS_MILLIS} after the first did.
     */
    static void run(String name, End a, End b) throws InterruptedException {
        Thread ab = new Thread(() -> copy(a, b), name + "-out");
        ab.setDaemon(true);
        ab.start();
        copy(b, a);
        ab.join(LAST_WORDS_MILLIS);
        quietly(a.close());
        quietly(b.close());
        ab.join();
    }

    private static void copy(End from, End to) {
        byte[] buffer = new byte[BUFFER];
        try {
            int n;
            while ((n = from.in().read(buffer)) >= 0) {
                to.out().write(buffer, 0, n);
                to.out().flush();
            }
            to.endOutput().close();
        } catch (IOException e) {
            // Either side went away: the other must not wait for it. A TLS alert is worth saying (the
            // peer refused this node's key, say: rsync only sees the connection end).
            if (e instanceof SSLException) LOG.warning("TLS connection ended: " + e.getMessage());
            else LOG.fine(() -> "connection ended: " + e);
            quietly(from.close());
            quietly(to.close());
        }
    }

    static void quietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing what already failed
        }
    }
}
