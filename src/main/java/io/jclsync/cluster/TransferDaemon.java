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
 * The read-only rsync daemon through which peers pull this node's files: one module per tree.
 * jclsync writes its config and secrets file under the state dir, binds it to the cluster
 * address only, starts it with the node, restarts it if it dies, and stops it on close. A
 * daemon left running by a node that was killed (kill -9 does not take children with it) is
 * stopped first. The password is derived from the cluster secret. Trees are added and removed
 * by rewriting the config, which the daemon reads again for each connection. Everything it
 * writes (config, secrets, lock, pid and log files) is in the state dir, so it needs no root.
 */
final class TransferDaemon implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TransferDaemon.class.getName());
    static final String USER = "jclsync";

    private static final long RESTART_DELAY_SECONDS = 5;

    private final ProcessBuilder command;
    private final InetSocketAddress address;
    private final Path stateDir;
    private final java.util.Map<String, Path> modules = new java.util.TreeMap<>();
    private volatile Process process;
    private volatile boolean closed;

    private TransferDaemon(ProcessBuilder command, InetSocketAddress address, Path stateDir) {
        this.command = command;
        this.address = address;
        this.stateDir = stateDir;
    }

    /** The module a tree is served as: derived from its id, so every node names it the same. */
    static String module(String treeHex) {
        return "t" + treeHex.substring(0, Math.min(16, treeHex.length()));
    }

    static TransferDaemon start(Path stateDir, InetSocketAddress address, String password)
            throws IOException, InterruptedException {
        Path secrets = stateDir.resolve("rsyncd.secrets");
        Files.deleteIfExists(secrets);
        Files.createFile(secrets, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(secrets, USER + ":" + password + "\n", StandardCharsets.UTF_8);
        Path conf = stateDir.resolve("rsyncd.conf");
        ProcessBuilder command = new ProcessBuilder("rsync", "--daemon", "--no-detach", "--config=" + conf,
                "--address=" + address.getAddress().getHostAddress(), "--port=" + address.getPort(),
                "--log-file=" + stateDir.resolve("rsyncd.log"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(stateDir.resolve("rsyncd.out").toFile()));
        TransferDaemon d = new TransferDaemon(command, address, stateDir);
        d.writeConfig();
        stopLeftOver(stateDir.resolve("rsyncd.pid"), conf);
        d.launch();
        d.awaitListening();
        return d;
    }

    /** Serves {@code tree} as {@code module} (read-only, the cluster's user and password, never .jclsync/). */
    synchronized void addModule(String module, Path tree) throws IOException {
        modules.put(module, tree);
        writeConfig();
    }

    synchronized void removeModule(String module) throws IOException {
        modules.remove(module);
        writeConfig();
    }

    private synchronized void writeConfig() throws IOException {
        StringBuilder sb = new StringBuilder(String.join("\n",
                "# written by jclsync while it runs; edits are lost",
                "use chroot = no",
                "max connections = 16",
                // Counting connections needs a lock file; rsync's default, /var/run/rsyncd.lock, is
                // root's, and without write access there every connection fails ("failed to open
                // lock file"). Ours is the node's own, so it also runs as an unprivileged user.
                "lock file = " + stateDir.resolve("rsyncd.lock"),
                "reverse lookup = no",
                "pid file = " + stateDir.resolve("rsyncd.pid"),
                ""));
        for (java.util.Map.Entry<String, Path> m : modules.entrySet()) {
            sb.append("[").append(m.getKey()).append("]\n");
            // A daemon started by root switches to these for each connection. Anyone else cannot
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
                    "auth users = " + USER,
                    "secrets file = " + stateDir.resolve("rsyncd.secrets"),
                    "strict modes = yes",
                    "exclude = /.jclsync/",
                    ""));
        }
        io.jclsync.fs.FileTrees.writeAtomically(stateDir.resolve("rsyncd.conf"), sb.toString());
    }


    private void launch() throws IOException {
        Process p = command.start();
        process = p;
        p.onExit().thenRun(() -> {
            if (closed) return;
            LOG.warning("the rsync daemon for peers exited (code " + p.exitValue() + "); restarting it in "
                    + RESTART_DELAY_SECONDS + " s (peers pull from other nodes meanwhile)");
            java.util.concurrent.CompletableFuture.delayedExecutor(RESTART_DELAY_SECONDS, TimeUnit.SECONDS).execute(() -> {
                if (closed) return;
                try {
                    launch();
                } catch (IOException e) {
                    LOG.severe("cannot restart the rsync daemon for peers: " + e.getMessage());
                }
            });
        });
    }

    /** Stops the daemon a killed node left behind (it holds the port), if the pid file names one of ours. */
    private static void stopLeftOver(Path pidFile, Path conf) throws IOException, InterruptedException {
        if (!Files.exists(pidFile)) return;
        String text = Files.readString(pidFile).strip();
        Files.deleteIfExists(pidFile);
        long pid;
        try {
            pid = Long.parseLong(text);
        } catch (NumberFormatException e) {
            return;
        }
        var handle = ProcessHandle.of(pid);
        if (handle.isEmpty()) return;
        String cmdline;
        try {
            cmdline = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8);
        } catch (IOException gone) {
            return;
        }
        if (!cmdline.contains("--config=" + conf)) return; // the pid was reused by something else
        LOG.info("stopping the rsync daemon (pid " + pid + ") a previous run of this node left behind");
        ProcessHandle old = handle.get();
        old.destroy();
        try {
            old.onExit().get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            old.destroyForcibly();
            old.onExit().completeOnTimeout(old, 5, TimeUnit.SECONDS).join();
        }
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
    static String url(String endpoint, String module) {
        return "rsync://" + USER + "@" + endpoint + "/" + module + "/";
    }

    @Override
    public void close() {
        closed = true;
        Process process = this.process;
        if (process == null) return;
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
