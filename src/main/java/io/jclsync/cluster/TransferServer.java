package io.jclsync.cluster;

import io.jclsync.cluster.tls.NodeIdentity;
import io.jclsync.cluster.tls.TransferListener;
import io.jclsync.fs.FileTrees;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * How peers pull this node's trees: the TLS listener on the node's transfer address takes a
 * connection from a current member only (its key, from its hello), and serves it with an rsync of
 * its own in daemon-over-pipe mode ({@code rsync --server --daemon}, what {@code rsync -e ssh
 * host::module} runs on the far side), whose standard input and output are the connection. rsync
 * listens nowhere. Its config serves each tree as a read-only module, never {@code .jclsync/}, with a
 * user and password derived from each secret (defence in depth behind TLS); jclsync writes it and the
 * secrets file in the state dir, and rewrites the config when trees come and go (each connection's
 * rsync reads it anew).
 */
public final class TransferServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TransferServer.class.getName());

    private final Path stateDir;
    private final List<String> users;
    private final List<String> rsyncOptions;
    private final Map<String, Path> modules = new TreeMap<>();
    private TransferListener listener;

    private TransferServer(Path stateDir, List<String> users, List<String> rsyncOptions) {
        this.stateDir = stateDir;
        this.users = List.copyOf(users);
        this.rsyncOptions = List.copyOf(rsyncOptions);
    }

    /**
     * The rsync user of {@code password}: {@code jclsync-} and 8 hex digits of its SHA-256. rsync
     * takes one password per user, so each secret's password has a user of its own.
     */
    static String user(String password) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.US_ASCII));
            return "jclsync-" + HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The module a tree is served as: derived from its id, so every node names it the same. */
    public static String module(String treeHex) {
        return "t" + treeHex.substring(0, Math.min(16, treeHex.length()));
    }

    /**
     * Writes the secrets file and config, and listens on {@code address}.
     *
     * @param passwords    the rsync passwords accepted, one per secret (the cluster may be changing it)
     * @param members      who may pull: the current members by their transfer keys
     * @param rsyncOptions more options for each serving rsync (a test's {@code --bwlimit})
     */
    public static TransferServer start(Path stateDir, InetSocketAddress address, List<String> passwords, NodeIdentity identity,
                                TransferListener.Members members, List<String> rsyncOptions) throws IOException {
        StringBuilder secrets = new StringBuilder();
        for (String password : passwords) secrets.append(user(password)).append(':').append(password).append('\n');
        FileTrees.writePrivately(stateDir.resolve("rsyncd.secrets"), secrets.toString());
        TransferServer server = new TransferServer(stateDir, passwords.stream().map(TransferServer::user).toList(),
                rsyncOptions);
        server.writeConfig();
        server.listener = TransferListener.start(address, identity, members, server::rsync);
        return server;
    }

    /** The rsync that serves one connection of {@code peer}. */
    private ProcessBuilder rsync(String peer) {
        List<String> argv = new ArrayList<>(List.of("rsync", "--server", "--daemon"));
        argv.addAll(rsyncOptions);
        argv.addAll(List.of("--config=" + stateDir.resolve("rsyncd.conf"), "."));
        LOG.fine("serving a pull of " + peer);
        return new ProcessBuilder(argv)
                .redirectError(ProcessBuilder.Redirect.appendTo(stateDir.resolve("rsyncd.out").toFile()));
    }

    /** Serves {@code tree} as {@code module} (read-only, the cluster's user and password, never .jclsync/). */
    public synchronized void addModule(String module, Path tree) throws IOException {
        modules.put(module, tree);
        writeConfig();
    }

    public synchronized void removeModule(String module) throws IOException {
        modules.remove(module);
        writeConfig();
    }

    private synchronized void writeConfig() throws IOException {
        StringBuilder sb = new StringBuilder(String.join("\n",
                "# written by jclsync while it runs; edits are lost",
                "use chroot = no",
                // No "max connections" (and so no lock file): the TLS listener bounds connections.
                "reverse lookup = no",
                // A peer silent this long (vanished mid-pull) ends its rsync, and the listener then frees the connection.
                "timeout = 120",
                "log file = " + stateDir.resolve("rsyncd.log"),
                ""));
        for (Map.Entry<String, Path> m : modules.entrySet()) {
            sb.append("[").append(m.getKey()).append("]\n");
            // rsync started by root switches to these for each connection. Anyone else cannot
            // (rsync then fails every connection with "setgroups failed") and needs not: it
            // already runs as the user that owns the tree.
            if (PrivateFiles.runningUid() == 0) {
                sb.append("uid = ").append(System.getProperty("user.name")).append("\n");
                sb.append("gid = ").append(groupOf(m.getValue())).append("\n");
            }
            sb.append(String.join("\n",
                    "path = " + m.getValue(),
                    "read only = yes",
                    "list = no",
                    "auth users = " + String.join(", ", users),
                    "secrets file = " + stateDir.resolve("rsyncd.secrets"),
                    "strict modes = yes",
                    "exclude = /.jclsync/",
                    ""));
        }
        FileTrees.writeAtomically(stateDir.resolve("rsyncd.conf"), sb.toString());
    }

    private static String groupOf(Path tree) throws IOException {
        return Files.readAttributes(tree, PosixFileAttributes.class).group().getName();
    }

    /**
     * The URL the local rsync client pulls a module with, through a tunnel listening on {@code port},
     * as the user of {@code password}.
     */
    public static String url(int port, String module, String password) {
        return "rsync://" + user(password) + "@127.0.0.1:" + port + "/" + module + "/";
    }

    /** Connections refused by the listener (no member's key, failed handshakes, too many). */
    public long refused() {
        return listener == null ? 0 : listener.refused();
    }

    @Override
    public void close() {
        if (listener != null) listener.close();
        LOG.fine("transfer listener stopped");
    }
}
