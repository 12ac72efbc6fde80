package io.jclsync.daemon;

import io.jclsync.config.ConfigException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.logging.Logger;

/**
 * The {@code --ctl-socket} of a {@link TreeHost}: a unix socket only its owner may use (mode 600).
 * One request per connection, one line: {@code add NAME DIR}, {@code add-block NAME BLOCK [DIR]}
 * (configured by config block BLOCK of the host's config file), {@code remove NAME}, {@code list}
 * or {@code status} (each tree's status JSON on a line);
 * the answer is lines of text, the first starting with {@code ok} or {@code error}.
 */
final class ControlServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ControlServer.class.getName());

    private final ServerSocketChannel channel;
    private final Path socket;
    private final Thread acceptor;

    private ControlServer(ServerSocketChannel channel, Path socket, TreeHost host) {
        this.channel = channel;
        this.socket = socket;
        this.acceptor = new Thread(() -> serve(host), "jclsync-ctl");
        this.acceptor.setDaemon(true);
    }

    static ControlServer start(Path socket, TreeHost host) throws IOException {
        Files.createDirectories(socket.toAbsolutePath().getParent());
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

    private static boolean answers(Path socket) {
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void serve(TreeHost host) {
        while (channel.isOpen()) {
            try (SocketChannel client = channel.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client), StandardCharsets.UTF_8));
                OutputStream out = Channels.newOutputStream(client);
                String line = in.readLine();
                out.write(answer(host, line == null ? "" : line).getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                if (channel.isOpen()) LOG.warning("control socket: " + e.getMessage());
            }
        }
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
        try {
            channel.close();
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.fine("closing " + socket + ": " + e);
        }
    }
}
