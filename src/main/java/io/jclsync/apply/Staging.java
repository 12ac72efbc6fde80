package io.jclsync.apply;

import io.jclsync.beneath.Dir;
import io.jclsync.beneath.NotBeneathException;
import io.jclsync.beneath.OpenFile;
import io.jclsync.beneath.Stat;
import io.jclsync.cluster.PrivateFiles;
import io.jclsync.fs.FileType;
import io.jclsync.fs.PathBytes;
import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Logger;

/**
 * The node's private working dirs in its tree, {@code .jclsync} and {@code .jclsync/incoming},
 * where pulls and copies are staged before they are renamed into place: never watched, never
 * named by a peer, 0700 and the node's own.
 */
public final class Staging {
    private static final Logger LOG = Logger.getLogger(Staging.class.getName());
    static final int PRIVATE_DIR = 0700;
    private static final byte[] WORK = ".jclsync".getBytes(StandardCharsets.UTF_8);
    private static final byte[] INCOMING = "incoming".getBytes(StandardCharsets.UTF_8);

    private Staging() {}

    /**
     * The staging dir ({@code .jclsync/incoming}), opened fresh before each pull: it and
     * {@code .jclsync} must be real directories (made 0700 if missing). Either one a symlink, or
     * not a directory, is refused, logged and left as it is: staging through it would write
     * elsewhere. Each pull then stages in a 0700 dir of its own below it.
     */
    static Dir open(Dir top) throws IOException {
        return privateDirs(top, false);
    }

    /**
     * The staging dir at start: what a killed run left half-pulled in it is deleted (it is never
     * at a final path, and useless now), and {@code .jclsync} and the staging dir are made 0700
     * whatever their mode was; a symlink is refused as in {@link #open}.
     */
    public static void prepare(Path root) throws IOException {
        try (Dir top = Dir.root(root); Dir work = privateDirs(top, true)) {
            for (byte[] left : work.list()) work.deleteTree(left);
        }
    }

    /**
     * Whether the staged file {@code name} in {@code dir} is what was announced: a file (not a
     * directory, as the path may be at the source by now) of {@code want}'s size and sha256, read
     * through its open descriptor. If so, it is stamped there with {@code mode} and {@code want}'s
     * nanosecond mtime, ready to be renamed into place.
     */
    static boolean stampIfAnnounced(Dir dir, byte[] name, FileState want, int mode) throws IOException {
        Stat served = dir.stat(name);
        if (served == null || served.type() != FileType.FILE) return false;
        try (OpenFile f = dir.openFile(name)) {
            if (f.stat().size() != want.size() || !Arrays.equals(f.sha256(), want.sha256())) return false;
            f.chmod(mode);
            f.setMtime(want.mtimeNanos());
            return true;
        }
    }

    private static Dir privateDirs(Dir top, boolean tighten) throws IOException {
        Dir at = top.parentOf(RelPath.of(WORK)); // a new handle of the root
        try {
            for (byte[] name : List.of(WORK, INCOMING)) {
                try {
                    at.mkdir(name, PRIVATE_DIR);
                } catch (FileAlreadyExistsException exists) {
                    Stat st = at.stat(name);
                    if (st == null || st.type() != FileType.DIRECTORY) {
                        String what = st != null && st.type() == FileType.SYMLINK ? "a symbolic link" : "not a directory";
                        LOG.warning("refusing to stage pulled files in " + at + "/" + PathBytes.display(name) + ": it is "
                                + what + " (remove it; jclsync makes it again as a private directory)");
                        throw new NotBeneathException(at + "/" + PathBytes.display(name) + " is " + what
                                + ", not the node's private staging directory");
                    }
                    if (st.uid() != PrivateFiles.runningUid()) {
                        LOG.warning("refusing to stage pulled files in " + at + "/" + PathBytes.display(name)
                                + ": it belongs to uid " + st.uid() + ", not to this node's user (remove it; jclsync makes it again)");
                        throw new NotBeneathException(at + "/" + PathBytes.display(name) + " is not the node's own directory");
                    }
                    if (tighten) at.chmod(name, PRIVATE_DIR);
                }
                Dir next = at.openDir(name);
                at.close();
                at = next;
            }
            return at;
        } catch (IOException | RuntimeException e) {
            at.close();
            throw e;
        }
    }
}
