package io.jclsync.cluster;

import io.jclsync.cluster.wire.WireCodec;
import io.jclsync.echo.EchoFilter;
import io.jclsync.fs.FileTrees;
import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import io.jclsync.state.FileStates;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The writes a node makes to its own tree for its peers: each one registered with the
 * {@link EchoFilter} first (so its events are not announced back), none through a symlink, none
 * outside the tree.
 */
final class LocalTree {
    private static final Logger LOG = Logger.getLogger(LocalTree.class.getName());
    static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");

    final Path root;
    final EchoFilter echoes;

    LocalTree(Path root, EchoFilter echoes) {
        this.root = root;
        this.echoes = echoes;
    }

    /** Sets a file's mode and nanosecond mtime to {@code want}'s. */
    static void stamp(Path file, FileState want) throws IOException {
        Files.setPosixFilePermissions(file, FileStates.permissions(want.mode()));
        Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(FileTime.from(want.mtimeNanos(), TimeUnit.NANOSECONDS), null, null);
    }

    /** Creates missing parent directories of {@code rel}, registering each so it is not announced back. */
    void createParents(RelPath rel) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = rel.toPath().getParent(); p != null; p = p.getParent()) {
            if (Files.isDirectory(root.resolve(p), LinkOption.NOFOLLOW_LINKS)) break;
            missing.add(0, p);
        }
        for (Path p : missing) {
            Files.createDirectory(root.resolve(p));
            echoes.expect(RelPath.of(p), FileStates.of(root.resolve(p)));
        }
    }

    /**
     * No component of {@code rel} above the last one may be a symlink: writes would leave the tree.
     * Nor may it be in the node's working dir, whatever a peer's codec let through (logged).
     */
    boolean insideTree(RelPath rel) {
        if (rel.startsWith(WireCodec.WORK_DIR)) {
            LOG.warning("refused a peer's change of " + rel + ": " + WireCodec.WORK_DIR + "/ is this node's private working dir");
            return false;
        }
        for (Path p = rel.toPath().getParent(); p != null; p = p.getParent()) {
            if (Files.isSymbolicLink(root.resolve(p))) return false;
        }
        return true;
    }

    /**
     * The staging dir ({@code .jclsync/incoming}), checked before each pull: it and {@code .jclsync}
     * must be real directories (made 0700 if missing). Either one a symlink, or not a directory, is
     * refused, logged and left as it is: staging through it would write elsewhere. Each pull then
     * stages in a 0700 dir of its own below it, so no other local user can reach what is staged.
     */
    Path staging() throws IOException {
        return privateDirs(root, false);
    }

    /**
     * The staging dir at start: what a killed run left half-pulled in it is deleted (it is never
     * at a final path, and useless now), and {@code .jclsync} and the staging dir are made 0700
     * whatever their mode was; a symlink is refused as in {@link #staging()}.
     */
    static Path prepareStaging(Path root) throws IOException {
        Path staging = privateDirs(root, true);
        FileTrees.delete(staging, root);
        return privateDirs(root, true);
    }

    private static Path privateDirs(Path root, boolean tighten) throws IOException {
        Path dir = root;
        for (Path name : Puller.STAGING) {
            dir = dir.resolve(name);
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
            } catch (FileAlreadyExistsException exists) {
                if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    String what = Files.isSymbolicLink(dir) ? "a symbolic link" : "not a directory";
                    LOG.warning("refusing to stage pulled files in " + dir + ": it is " + what
                            + " (remove it; jclsync makes it again as a private directory)");
                    throw new IOException(dir + " is " + what + ", not the node's private staging directory");
                }
                if (tighten) Files.setPosixFilePermissions(dir, PRIVATE_DIR);
            }
        }
        return dir;
    }

    /** Deletes {@code top} (a file or a whole directory) if it exists; never outside the tree. */
    void deleteTree(Path top) throws IOException {
        if (Files.exists(top, LinkOption.NOFOLLOW_LINKS)) FileTrees.delete(top, root);
    }

    /** Deletes a working file or dir, logging (not throwing) a failure. */
    void deleteQuietly(Path p) {
        try {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) FileTrees.delete(p, root);
        } catch (IOException e) {
            LOG.fine("cannot clean " + p + ": " + e);
        }
    }
}
