package io.jclsync.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The read-only rsync daemon through which peers pull this node's files. jclsync writes its
 * config and secrets file under the state dir, binds it to the cluster address only, starts it
 * with the node and stops it on close. The password is derived from the cluster secret.
 */
final class TransferDaemon implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TransferDaemon.class.getName());
    static final String MODULE = "tree";
    static final String USER = "jclsync";

    private final Process process;
    private final InetSocketAddress address;

    private TransferDaemon(Process process, InetSocketAddress address) {
        this.process = process;
        this.address = address;
    }

    static TransferDaemon start(Path tree, Path stateDir, InetSocketAddress address, String password)
            throws IOException, InterruptedException {
        Path secrets = stateDir.resolve("rsyncd.secrets");
        Files.deleteIfExists(secrets);
        Files.createFile(secrets, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(secrets, USER + ":" + password + "\n", StandardCharsets.UTF_8);
        String user = System.getProperty("user.name");
        Path conf = stateDir.resolve("rsyncd.conf");
        Files.writeString(conf, String.join("\n",
                "# written by jclsync at every start; edits are lost",
                "use chroot = no",
                "max connections = 16",
                "reverse lookup = no",
                "pid file = " + stateDir.resolve("rsyncd.pid"),
                "uid = " + user,
                "gid = " + groupOf(tree),
                "[" + MODULE + "]",
                "path = " + tree,
                "read only = yes",
                "list = no",
                "auth users = " + USER,
                "secrets file = " + secrets,
                "strict modes = yes",
                "exclude = /.jclsync/",
                ""), StandardCharsets.UTF_8);
        Files.deleteIfExists(stateDir.resolve("rsyncd.pid"));
        Process p = new ProcessBuilder("rsync", "--daemon", "--no-detach", "--config=" + conf,
                "--address=" + address.getAddress().getHostAddress(), "--port=" + address.getPort(),
                "--log-file=" + stateDir.resolve("rsyncd.log"))
                .redirectErrorStream(true).redirectOutput(stateDir.resolve("rsyncd.out").toFile()).start();
        TransferDaemon d = new TransferDaemon(p, address);
        d.awaitListening();
        return d;
    }

    private static String groupOf(Path tree) throws IOException {
        return Files.readAttributes(tree, java.nio.file.attribute.PosixFileAttributes.class).group().getName();
    }

    private void awaitListening() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("rsync daemon for peers exited at once (is port " + address.getPort()
                        + " on " + address.getAddress().getHostAddress() + " taken? see --transfer-port)");
            }
            try (Socket s = new Socket()) {
                s.connect(address, 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IOException("rsync daemon for peers is not listening on " + address + " after 10 s");
    }

    /** The rsync URL of a peer's tree. */
    static String url(String endpoint) {
        return "rsync://" + USER + "@" + endpoint + "/" + MODULE + "/";
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.fine("rsync daemon stopped");
    }
}
