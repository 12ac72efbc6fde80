package io.jclsync.cluster;

import io.jclsync.echo.EchoFilter;
import io.jclsync.fs.FileTrees;
import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import io.jclsync.state.FileStates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The writes a node makes to its own tree for its peers: each one registered with the
 * {@link EchoFilter} first (so its events are not announced back), none through a symlink, none
 * outside the tree.
 */
final class LocalTree {
    private static final Logger LOG = Logger.getLogger(LocalTree.class.getName());

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

    /** No component of {@code rel} above the last one may be a symlink: writes would leave the tree. */
    boolean insideTree(RelPath rel) {
        for (Path p = rel.toPath().getParent(); p != null; p = p.getParent()) {
            if (Files.isSymbolicLink(root.resolve(p))) return false;
        }
        return true;
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
