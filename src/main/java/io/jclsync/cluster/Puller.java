package io.jclsync.cluster;

import io.jclsync.conflict.Candidate;
import io.jclsync.conflict.ConflictCopies;
import io.jclsync.fs.ContentHash;
import io.jclsync.fs.FileType;
import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import io.jclsync.state.FileStates;
import io.jclsync.state.Index;
import io.jclsync.sync.ListFile;
import io.jclsync.sync.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Moves file contents for the {@link Applier}: one rsync per batch from a peer's read-only daemon
 * into the staging dir ({@code .jclsync/incoming}, never watched), then each file is checked
 * against its announced sha256, stamped and renamed into place, and its version recorded.
 */
final class Puller {
    private static final Logger LOG = Logger.getLogger(Puller.class.getName());
    static final Path STAGING = Path.of(".jclsync", "incoming");

    /**
     * A file to pull, placed at {@code target} here; once it is in place the path's version
     * becomes {@code vector}, written by {@code writer} ({@code takeover}: a subtree conflict's winner).
     */
    /**
     * @param before the state the target had when the change was decided (null: none): if the target
     *               is something else by the time the file is placed, it was written here meanwhile
     * @param copy   a conflict copy of the losing version: announced from here like a new file (not an
     *               echo), so every node ends up with it even one that decided the conflict otherwise
     */
    record Pull(RelPath target, FileState want, Map<String, Long> vector, String writer, boolean takeover,
                FileState before, boolean copy) {}

    private final LocalTree tree;
    private final Path root;
    private final Counters counters;
    private final String password;
    private final String module;
    private final Index versions;
    private long pulls;

    Puller(LocalTree tree, Counters counters, String password, String module, Index versions) {
        this.module = module;
        this.tree = tree;
        this.root = tree.root;
        this.counters = counters;
        this.password = password;
        this.versions = versions;
    }

    /**
     * One rsync for all files of a batch from the origin, into the staging dir; then check, stamp
     * and move each. If the origin cannot be reached (it died mid-transfer, its daemon is gone), the
     * files still missing are pulled from the other sources, which may have the same versions.
     *
     * @return whether every file was placed, or the origin answered (a file whose content no longer
     *         matches has changed there since, and its next announcement brings it)
     */
    boolean pull(String origin, List<String> sources, Map<RelPath, Pull> files) throws InterruptedException {
        Map<RelPath, Pull> left = new LinkedHashMap<>(files);
        // The origin once; if it fails, each other node once; then the origin again, with backoff.
        if (pullFrom(sources.get(0), left, 1)) return true;
        for (String other : sources.subList(1, sources.size())) {
            if (left.isEmpty()) return true;
            LOG.info("pulling " + left.size() + " file(s) of " + origin + "'s batch from " + other + " instead");
            pullFrom(other, left, 1);
        }
        if (!left.isEmpty() && pullFrom(sources.get(0), left, 3)) return true;
        if (!left.isEmpty()) {
            LOG.warning(left.size() + " file(s) of " + origin + "'s batch could not be pulled from any node, e.g. "
                    + left.keySet().iterator().next());
        }
        return left.isEmpty();
    }

    /** Pulls {@code files} from one endpoint; removes those placed. @return whether rsync ran through */
    private boolean pullFrom(String endpoint, Map<RelPath, Pull> files, int attempts) throws InterruptedException {
        Path staging = root.resolve(STAGING).resolve(Long.toString(++pulls));
        Path list = root.resolve(STAGING).resolve(pulls + ".list");
        try {
            Files.createDirectory(tree.staging().resolve(staging.getFileName()),
                    PosixFilePermissions.asFileAttribute(LocalTree.PRIVATE_DIR));
            ListFile.writePaths(list, files.keySet().stream().map(RelPath::toPath).toList());
            List<String> argv = List.of("rsync", "-a", "--no-D", "--from0", "--files-from=" + list, "--stats",
                    "--contimeout=10", "--timeout=60", TransferDaemon.url(endpoint, module), staging + "/");
            ProcessRunner.Result r = null;
            for (int attempt = 0; attempt < attempts; attempt++) {
                TimeUnit.SECONDS.sleep(attempts == 1 ? 0 : 1L << attempt);
                counters.rsyncCalls.incrementAndGet();
                r = ProcessRunner.run(argv, Map.of("RSYNC_PASSWORD", password), Duration.ofHours(1));
                if (ranThrough(r.exitCode())) break;
            }
            if (!ranThrough(r.exitCode())) {
                LOG.warning("pull of " + files.size() + " file(s) from " + endpoint + " failed (rsync exit "
                        + r.exitCode() + "): " + r.output().strip().lines().reduce((a, b) -> b).orElse(""));
                return false;
            }
            int placed = 0;
            for (var it = files.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<RelPath, Pull> f = it.next();
                Pull p = f.getValue();
                RelPath at = place(staging.resolve(f.getKey().toPath()), p);
                if (at != null && !at.equals(p.target())) {
                    it.remove();
                    placed++;
                } else if (at != null) {
                    long ino = (Long) Files.getAttribute(root.resolve(p.target().toPath()), "unix:ino", LinkOption.NOFOLLOW_LINKS);
                    versions.applied(p.target().toPath(), p.want().withInode(ino), p.vector(), p.writer(), p.takeover());
                    it.remove();
                    placed++;
                }
            }
            LOG.info("pulled " + placed + " file(s) from " + endpoint);
            return true;
        } catch (IOException e) {
            LOG.warning("pull from " + endpoint + " failed: " + e);
            return false;
        } finally {
            tree.deleteQuietly(staging);
            tree.deleteQuietly(list);
        }
    }

    /** rsync exit codes after which what did arrive is usable: 0, 23 (partial), 24 (vanished files). */
    private static boolean ranThrough(int exitCode) {
        return exitCode == 0 || exitCode == 23 || exitCode == 24;
    }

    /** @return where the file went (its target, or beside it if the target changed here meanwhile), or null */
    private RelPath place(Path staged, Pull p) throws IOException {
        RelPath rel = p.target();
        FileState want = p.want();
        if (!Files.isRegularFile(staged, LinkOption.NOFOLLOW_LINKS)) return null; // vanished at the origin
        if (!Arrays.equals(ContentHash.sha256(staged), want.sha256())) {
            LOG.fine(() -> rel + " changed at the origin during the pull; its next announcement brings it");
            return null;
        }
        LocalTree.stamp(staged, want);
        Path target = root.resolve(rel.toPath());
        tree.createParents(rel);
        FileState local = FileStates.of(target, p.before());
        if (!FileStates.same(local, p.before()) && !FileStates.same(local, want)) {
            // Written here while the pull ran: that write stands (it is announced from here), and
            // the peer's version is kept beside it, announced as a new file. Nothing is lost.
            RelPath aside = ConflictCopies.copyOf(rel, new Candidate(p.writer(), want, p.vector(), 0));
            LOG.warning("conflict on " + rel + ": it changed here while " + p.writer() + "'s version was pulled; "
                    + "that version is kept as " + aside);
            counters.conflicts.incrementAndGet();
            tree.createParents(aside);
            Files.move(staged, root.resolve(aside.toPath()), StandardCopyOption.ATOMIC_MOVE);
            return aside;
        }
        if (local != null && local.type() == FileType.DIRECTORY) {
            tree.echoes.expect(rel, null);
            tree.deleteTree(target);
        }
        if (!p.copy()) tree.echoes.expect(rel, want);
        Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        counters.filesPulled.incrementAndGet();
        counters.bytesPulled.addAndGet(want.size());
        return rel;
    }
}
