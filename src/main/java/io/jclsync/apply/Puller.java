package io.jclsync.apply;

import io.jclsync.cluster.TransferServer;
import io.jclsync.cluster.PrivateFiles;
import io.jclsync.cluster.TransferAccess;

import io.jclsync.conflict.ConflictCopies;
import io.jclsync.conflict.Candidate;
import io.jclsync.fs.FileType;
import io.jclsync.conflict.PulledPlace;
import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import io.jclsync.state.Index;
import io.jclsync.process.ListFile;
import io.jclsync.process.ProcessRunner;
import io.jclsync.state.VersionVector;
import io.jclsync.beneath.Dir;
import io.jclsync.beneath.NotBeneathException;
import io.jclsync.cluster.tls.Fingerprint;
import io.jclsync.cluster.tls.TransferTunnel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Moves file contents for the {@link Applier}: one rsync per batch from a peer's read-only rsync,
 * through a TLS tunnel to its transfer listener that checks the peer's pinned key, into the
 * staging dir ({@code .jclsync/incoming}, never watched), then each file is checked against its
 * announced sha256, stamped and renamed into place, and its version recorded.
 */
public final class Puller {
    private static final Logger LOG = Logger.getLogger(Puller.class.getName());

    /**
     * A node to pull from, as its hello said: its transfer listener and the key it must present.
     *
     * @param endpoint host:port (validated by the codec)
     */
    public record Source(String node, String endpoint, Fingerprint key) {
        InetSocketAddress address() {
            int colon = endpoint.lastIndexOf(':');
            String host = endpoint.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
            return new InetSocketAddress(host, Integer.parseInt(endpoint.substring(colon + 1)));
        }
    }

    /**
     * A file to pull, placed at {@code target} here; once it is in place the path's version
     * becomes {@code vector}, written by {@code writer} ({@code takeover}: a subtree conflict's winner).
     *
     * @param before the state the target had when the change was decided (null: none): if the target
     *               is something else by the time the file is placed, it was written here meanwhile
     * @param copy   a conflict copy of the losing version: announced from here like a new file (not an
     *               echo), so every node ends up with it even one that decided the conflict otherwise
     * @param winner with a copy: the path whose version won here (null: none); once the copy is in
     *               place, that path's version takes in {@code loser}, the losing version's vector
     *               ({@link Index#absorb}). Not before: a version that covers the loser's tells the
     *               loser's node to replace its file without keeping it, and until the copy is here,
     *               that node's file is the only one.
     */
    record Pull(RelPath target, FileState want, VersionVector vector, String writer, boolean takeover,
                FileState before, boolean copy, RelPath winner, VersionVector loser) {
        Pull(RelPath target, FileState want, VersionVector vector, String writer, boolean takeover,
             FileState before, boolean copy) {
            this(target, want, vector, writer, takeover, before, copy, null, null);
        }
    }

    private final LocalTree tree;
    private final Counters counters;
    private final TransferAccess access;
    private final Index versions;
    private long pulls;
    /** Conflict copies placed by the pulls so far (apply thread only): the applier announces them. */
    private final List<Copy> copiesPlaced = new ArrayList<>();

    /** A conflict copy a pull placed: where, and its state as checked (the hash is not read again). */
    record Copy(RelPath at, FileState state) {}

    Puller(LocalTree tree, Counters counters, TransferAccess access, Index versions) {
        this.tree = tree;
        this.counters = counters;
        this.access = access;
        this.versions = versions;
    }

    /**
     * One rsync for all files of a batch from the origin, into the staging dir; then check, stamp
     * and move each. If the origin cannot be reached (it died mid-transfer, its daemon is gone), the
     * files still missing are pulled from the other sources, which may have the same versions.
     *
     * @return whether every file was placed, or the origin answered (a file whose content no longer
     *         matches has changed there since, and its next announcement brings it); another node
     *         that serves another content has not got the version, which is still to be pulled
     */
    boolean pull(String origin, Supplier<List<Source>> sources, Map<RelPath, Pull> files) throws InterruptedException {
        Map<RelPath, Pull> left = new LinkedHashMap<>(files);
        // The origin once; if it fails, each other node known by then once; then the origin again, with backoff.
        if (left.isEmpty()) return true;
        List<Source> known = sources.get();
        if (known.isEmpty()) {
            LOG.warning(left.size() + " file(s) of " + origin + "'s batch: no node to pull them from (" + origin
                    + " left the view), e.g. " + left.keySet().iterator().next());
            return false;
        }
        Source first = known.get(0);
        boolean fromOrigin = first.node().equals(origin);
        boolean answered = pullFrom(first, left, 1);
        if (answered && (fromOrigin || left.isEmpty())) return true;
        List<Source> now = sources.get();
        for (Source other : now.subList(1, now.size())) {
            if (left.isEmpty()) return true;
            LOG.info("pulling " + left.size() + " file(s) of " + origin + "'s batch from " + other.endpoint() + " instead");
            pullFrom(other, left, 1);
        }
        if (!answered && !left.isEmpty() && pullFrom(first, left, 3) && fromOrigin) return true;
        if (!left.isEmpty()) {
            LOG.warning(left.size() + " file(s) of " + origin + "'s batch could not be pulled from any node, e.g. "
                    + left.keySet().iterator().next());
        }
        return left.isEmpty();
    }

    /** The conflict copies placed since the last call. */
    List<Copy> takeCopiesPlaced() {
        List<Copy> out = List.copyOf(copiesPlaced);
        copiesPlaced.clear();
        return out;
    }

    /** Pulls {@code files} from one source; removes those placed. @return whether rsync ran through */
    private boolean pullFrom(Source source, Map<RelPath, Pull> files, int attempts) throws InterruptedException {
        String endpoint = source.endpoint();
        long n = ++pulls;
        byte[] dirName = Long.toString(n).getBytes(StandardCharsets.US_ASCII);
        try (Dir staging = tree.staging()) {
            try {
                staging.mkdir(dirName, Staging.PRIVATE_DIR);
                try (Dir pulled = staging.openDir(dirName)) {
                    ProcessRunner.Result r = rsync(source, files, pulled.pathForChildren(), attempts);
                    if (!ranThrough(r.exitCode())) {
                        LOG.warning("pull of " + files.size() + " file(s) from " + endpoint + " failed (rsync exit "
                                + r.exitCode() + "): " + r.reason());
                        return false;
                    }
                    int placed = 0;
                    for (var it = files.entrySet().iterator(); it.hasNext(); ) {
                        Map.Entry<RelPath, Pull> f = it.next();
                        try {
                            if (place(pulled, f.getKey(), f.getValue(), endpoint)) {
                                it.remove();
                                placed++;
                            }
                        } catch (IOException e) {
                            // One file that cannot be placed is no reason to drop the others the pull brought.
                            LOG.warning("cannot place " + f.getValue().target() + " pulled from " + endpoint + ": " + e);
                        }
                    }
                    LOG.info("pulled " + placed + " file(s) from " + endpoint);
                    return true;
                }
            } finally {
                cleanUp(staging, dirName);
            }
        } catch (IOException e) {
            LOG.warning("pull from " + endpoint + " failed: " + e);
            return false;
        }
    }

    /**
     * One rsync into {@code into}, the pull's own 0700 dir, named by its {@code /proc} link so that
     * nothing renamed or swapped in the tree meanwhile can redirect it; the list of files goes to
     * rsync's standard input, so there is no list file anyone could swap. Regular files only (no
     * links, devices, nor anything over the largest announced size); modes are not taken from the
     * origin (the announced ones are stamped after the hash check); owners are, as root only. Each
     * attempt goes through a tunnel of its own, opened once the source's key is checked.
     *
     * @throws IOException when no attempt could reach the source over TLS
     */
    private ProcessRunner.Result rsync(Source source, Map<RelPath, Pull> files, Path into, int attempts)
            throws IOException, InterruptedException {
        long largest = files.values().stream().mapToLong(p -> p.want().size()).max().orElse(0);
        List<String> options = new ArrayList<>(List.of("rsync", "-t", "--no-D", "--no-p", "--chmod=D700,F600",
                "--max-size=" + Math.max(1, largest) + "b", "--from0", "--files-from=-", "--stats",
                "--contimeout=10", "--timeout=60"));
        if (PrivateFiles.runningUid() == 0) options.addAll(List.of("-o", "-g"));
        byte[] list = ListFile.paths(files.keySet().stream().map(RelPath::toPath).toList());
        ProcessRunner.Result r = null;
        IOException unreachable = null;
        for (int attempt = 0; attempt < attempts; attempt++) {
            TimeUnit.SECONDS.sleep(attempts == 1 ? 0 : 1L << attempt);
            try (TransferTunnel tunnel = TransferTunnel.open(access.identity(), source.address(), source.key(), source.node())) {
                List<String> argv = new ArrayList<>(options);
                argv.addAll(List.of(TransferServer.url(tunnel.port(), access.module(), access.password()), into + "/"));
                counters.rsyncCalls.incrementAndGet();
                r = ProcessRunner.run(argv, Map.of("RSYNC_PASSWORD", access.password()), Duration.ofHours(1), null, list);
                if (ranThrough(r.exitCode())) break;
            } catch (IOException e) {
                unreachable = e;
            }
        }
        if (r == null) throw unreachable;
        return r;
    }

    private static void cleanUp(Dir staging, byte[] name) {
        try {
            staging.deleteTree(name);
        } catch (IOException e) {
            LOG.fine("cannot clean " + staging + ": " + e);
        }
    }

    /** rsync exit codes after which what did arrive is usable: 0, 23 (partial), 24 (vanished files). */
    private static boolean ranThrough(int exitCode) {
        return exitCode == 0 || exitCode == 23 || exitCode == 24;
    }

    /**
     * Checks, stamps and places one pulled file; records its version if it went to its target.
     *
     * @return whether this pull is done with it: placed (at its target, or beside it if the target
     *         changed here meanwhile), or refused for a reason another pull would not change
     */
    private boolean place(Dir pulled, RelPath staged, Pull p, String endpoint) throws IOException {
        RelPath rel = p.target();
        FileState want = p.want();
        LocalTree.Placed placed;
        try {
            placed = tree.place(pulled, staged, want, new LocalTree.Decide() {
                @Override
                public RelPath path() {
                    return rel;
                }

                @Override
                public RelPath lateWrite(long mtimeNanos, byte[] sha256) {
                    RelPath aside = ConflictCopies.copyOf(rel, new Candidate(versions.self(),
                            new FileState(FileType.FILE, 0, mtimeNanos, 0, new byte[0], sha256), VersionVector.empty()));
                    LOG.warning("conflict on " + rel + ": written here while " + p.writer() + "'s version replaced it; "
                            + "that write is kept as " + aside);
                    counters.conflicts.incrementAndGet();
                    return aside;
                }

                @Override
                public RelPath where(LocalTree t) throws IOException {
                    RelPath aside = PulledPlace.of(rel, t.state(rel, p.before()), p.before(), want, p.writer(), p.vector());
                    if (aside.equals(rel)) return rel;
                    // Written here while the pull ran: that write stands, and the peer's version is kept beside it.
                    LOG.warning("conflict on " + rel + ": it changed here while " + p.writer() + "'s version was pulled; "
                            + "that version is kept as " + aside);
                    counters.conflicts.incrementAndGet();
                    return aside;
                }
            });
        } catch (NotBeneathException e) {
            counters.refusedWrites.incrementAndGet();
            LOG.warning("refused to place " + rel + " pulled from " + endpoint + ": " + e.getMessage());
            return true;
        }
        if (placed == null) {
            counters.rejectedPulls.incrementAndGet();
            LOG.warning(rel + " pulled from " + endpoint + " was not served, or not as announced (" + want.size()
                    + " bytes and the announced sha256): not placed (changed there since, or a faulty peer)");
            return false;
        }
        if (placed.at().equals(rel)) {
            Index.Version had = versions.get(rel.toPath());
            if (had != null && had.state() != null && had.vector().equals(p.vector())) counters.pulledAgain.incrementAndGet();
            counters.filesPulled.incrementAndGet();
            counters.bytesPulled.addAndGet(want.size());
            versions.applied(rel.toPath(), want.withInode(placed.inode()), p.vector(), p.writer(), p.takeover());
        }
        // The losing version's bytes are here now (at the copy's name, or beside it if that name
        // was taken meanwhile): the winner's version may take in the loser's.
        if (p.winner() != null) versions.absorb(p.winner().toPath(), p.loser());
        // Every copy (a conflict's loser, or the peer's version beside a change made here while it
        // was pulled) is announced by the applier; the watcher takes it for an echo.
        if (p.copy() || !placed.at().equals(rel)) copiesPlaced.add(new Copy(placed.at(), want.withInode(placed.inode())));
        if (placed.lateWrite() != null) copiesPlaced.add(new Copy(placed.lateWrite(), null));
        return true;
    }
}
