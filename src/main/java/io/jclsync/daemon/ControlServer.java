package io.jclsync.daemon;

import io.jclsync.config.ConfigException;
import io.jclsync.fs.PrivateDirs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The {@code --ctl-socket} of a {@link TreeHost}: a unix socket only its owner may use (mode 600),
 * in a directory nobody else may write (made 0700 when missing).
 * One request per connection, one line: {@code add NAME DIR}, {@code add-block NAME BLOCK [DIR]}
 * (configured by config block BLOCK of the host's config file), {@code remove NAME}, {@code list}
 * or {@code status} (each tree's status JSON on a line);
 * the answer is lines of text, the first starting with {@code ok} or {@code error}.
 * Each client is served on a thread of its own and must send its request, and take the answer,
 * within {@link #CLIENT_TIMEOUT}, or it is dropped: a silent client cannot stall the others.
 */
final class ControlServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ControlServer.class.getName());
    /** How long a client has to send its whole request, and again to read the answer. */
    static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(5);
    /** Clients served at once; one more is answered "busy" (the socket is the owner's alone, so this is a guard, not a quota). */
    private static final int MAX_CLIENTS = 16;
    private static final int MAX_REQUEST_BYTES = 8192;

    private final ServerSocketChannel channel;
    private final Path socket;
    private final Thread acceptor;
    private final ThreadPoolExecutor clients;
    private final ScheduledExecutorService deadlines;

    private ControlServer(ServerSocketChannel channel, Path socket, TreeHost host) {
        this.channel = channel;
        this.socket = socket;
        this.acceptor = new Thread(() -> serve(host), "jclsync-ctl");
        this.acceptor.setDaemon(true);
        AtomicInteger n = new AtomicInteger();
        this.clients = new ThreadPoolExecutor(0, MAX_CLIENTS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "jclsync-ctl-client-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jclsync-ctl-deadlines");
            t.setDaemon(true);
            return t;
        });
    }

    static ControlServer start(Path socket, TreeHost host) throws IOException {
        try {
            prepareDir(socket);
        } catch (ConfigException e) {
            throw new IOException(e.getMessage());
        }
        if (Files.exists(socket)) {
            if (answers(socket)) throw new IOException(socket + " is in use by another jclsync host");
            Files.delete(socket); // left by a host that was killed
        }
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ch.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        ControlServer server = new ControlServer(ch, socket, host);
        server.acceptor.start();
        return server;
    }

    /**
     * Makes the socket's directory 0700 if it is missing, and refuses one that another user
     * (root aside) owns or that group or others may write: they could replace the socket with
     * their own and be sent every {@code jclsync ctl} request.
     */
    static void prepareDir(Path socket) throws ConfigException {
        Path dir = socket.toAbsolutePath().getParent();
        String problem;
        try {
            PrivateDirs.makeIfMissing(dir);
            problem = PrivateDirs.problem(dir, true);
        } catch (IOException e) {
            throw new ConfigException("cannot make the ctl socket's directory " + dir + ": " + e.getMessage());
        }
        if (problem != null) {
            throw new ConfigException("the ctl socket's directory " + dir + " " + problem + "; whoever may write there could "
                    + "replace the socket (give --ctl-socket a path in a directory of its own, which jclsync makes 0700, "
                    + "e.g. /run/jclsync/ctl/ctl.sock; or chmod go-w " + dir + " and chown it to the user that runs jclsync)");
        }
    }

    private static boolean answers(Path socket) {
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void serve(TreeHost host) {
        while (channel.isOpen()) {
            SocketChannel client;
            try {
                client = channel.accept();
            } catch (IOException e) {
                if (!channel.isOpen()) return;
                LOG.warning("control socket: " + e.getMessage());
                continue;
            }
            try {
                clients.execute(() -> serveClient(client, host));
            } catch (RejectedExecutionException e) {
                refuse(client);
            }
        }
    }

    /** More than {@link #MAX_CLIENTS} at once, or the server is closing. */
    private static void refuse(SocketChannel client) {
        try (client) {
            client.configureBlocking(false); // a few bytes into an empty socket buffer; never wait for this client
            client.write(ByteBuffer.wrap(("error busy: " + MAX_CLIENTS + " ctl clients are being served; try again\n")
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            LOG.fine("control socket: " + e);
        }
    }

    private void serveClient(SocketChannel client, TreeHost host) {
        AtomicBoolean late = new AtomicBoolean();
        try (client) {
            String request = beforeDeadline(client, late, () -> readRequest(client));
            String answer = request == null ? "error request longer than " + MAX_REQUEST_BYTES + " bytes\n" : answer(host, request);
            ByteBuffer out = ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8));
            beforeDeadline(client, late, () -> {
                while (out.hasRemaining()) client.write(out);
                return null;
            });
        } catch (IOException e) {
            if (late.get()) {
                LOG.info("control socket: dropped a client that did not send its request or read the answer within "
                        + CLIENT_TIMEOUT.toSeconds() + " s");
            } else if (channel.isOpen()) {
                LOG.warning("control socket: " + e.getMessage());
            }
        }
    }

    private interface Io<T> {
        T run() throws IOException;
    }

    /** Runs {@code io}, closing the client (which ends a blocked read or write) when it takes longer than the timeout. */
    private <T> T beforeDeadline(SocketChannel client, AtomicBoolean late, Io<T> io) throws IOException {
        ScheduledFuture<?> deadline;
        try {
            deadline = deadlines.schedule(() -> {
                late.set(true);
                try {
                    client.close();
                } catch (IOException e) {
                    LOG.fine("control socket: " + e);
                }
            }, CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            throw new IOException("the control socket is closing");
        }
        try {
            return io.run();
        } finally {
            deadline.cancel(false);
        }
    }

    /** The first line the client sends (or all it sends before it shuts its side); null if it is too long. */
    private static String readRequest(SocketChannel client) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(1024);
        while (client.read(buf) >= 0) {
            buf.flip();
            while (buf.hasRemaining()) {
                byte b = buf.get();
                if (b == '\n') return line.toString(StandardCharsets.UTF_8);
                if (line.size() == MAX_REQUEST_BYTES) return null;
                line.write(b);
            }
            buf.clear();
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    /** How many words a request has at most: the last (a dir) may hold spaces. */
    private static int words(String request) {
        return request.startsWith("add-block ") ? 4 : 3;
    }

    static String answer(TreeHost host, String request) {
        String[] words = request.strip().split(" ", words(request));
        try {
            return switch (words[0]) {
                case "add" -> {
                    if (words.length != 3) throw new ConfigException("usage: add NAME DIR");
                    yield "ok " + host.add(words[1], Path.of(words[2]), true) + "\n";
                }
                case "add-block" -> {
                    if (words.length < 3) throw new ConfigException("usage: add-block NAME BLOCK [DIR]");
                    yield "ok " + host.add(new TreeHost.Spec(words[1], words.length == 4 ? Path.of(words[3]) : null, words[2]), true)
                            + "\n";
                }
                case "remove" -> {
                    if (words.length != 2) throw new ConfigException("usage: remove NAME");
                    yield "ok " + host.remove(words[1]) + "\n";
                }
                case "list" -> "ok " + host.list().size() + " tree(s)\n" + String.join("\n", host.list())
                        + (host.list().isEmpty() ? "" : "\n");
                case "status" -> {
                    List<String> status = host.status();
                    yield "ok " + String.join("\n", status) + (status.isEmpty() ? "" : "\n");
                }
                default -> throw new ConfigException("unknown request '" + words[0] + "' (add, add-block, remove, list, status)");
            };
        } catch (ConfigException e) {
            return "error " + e.getMessage() + "\n";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "error interrupted\n";
        }
    }

    @Override
    public void close() {
        clients.shutdownNow(); // interrupts a blocked read or write, which closes that client's channel
        deadlines.shutdownNow();
        try {
            channel.close();
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.fine("closing " + socket + ": " + e);
        }
    }
}
