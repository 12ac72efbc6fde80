package io.jclsync.apply;

import io.jclsync.conflict.SubtreeConflicts;
import io.jclsync.conflict.SubtreeConflicts.Copied;

import io.jclsync.beneath.Dir;
import io.jclsync.beneath.NotBeneathException;
import io.jclsync.beneath.OpenFile;
import io.jclsync.beneath.Stat;
import io.jclsync.cluster.wire.WireCodec;
import io.jclsync.echo.EchoFilter;
import io.jclsync.fs.FileType;
import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import io.jclsync.state.FileStates;
import io.jclsync.versions.VersionStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The only writer of a peer's changes to a node's tree. Every create, rename, delete, chmod and
 * utimes is made through directory handles ({@link Dir}) resolved from the tree's root without
 * following a symbolic link, each right before it is made, so neither a peer's batch (a link
 * {@code d -> /etc}, then a file {@code d/x}) nor a local user swapping a directory for a link
 * mid-pull can send a write outside the tree: the write is refused ({@link NotBeneathException}),
 * logged, and counted. Each write is registered with the {@link EchoFilter} first, so its events
 * are not announced back. Nothing a peer names is written in the node's working dir
 * ({@code .jclsync/}), which is the node's own and private (0700).
 */
public final class LocalTree implements SubtreeConflicts.TreeCopier, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalTree.class.getName());
    /** Parent directories a peer's change needs are made like mkdir(1) would (the umask applies). */
    private static final int NEW_DIR = 0777;

    private final Path root;
    private final EchoFilter echoes;
    private final Function<RelPath, FileState> agreed;
    private final Dir top;
    /** What a peer's change replaces or deletes goes through here (into the versions store, if any). */
    private final Replaced replaced;

    LocalTree(Path root, EchoFilter echoes) throws IOException {
        this(root, echoes, null, rel -> null);
    }

    /**
     * @param agreed the state the index holds for a path (null: none, or deleted): a directory
     *               made as the parent of a peer's entry gets its mode from there
     */
    public LocalTree(Path root, EchoFilter echoes, VersionStore versions, Function<RelPath, FileState> agreed) throws IOException {
        this.root = root;
        this.echoes = echoes;
        this.replaced = new Replaced(versions);
        this.agreed = agreed;
        this.top = Dir.root(root);
    }

    /**
     * The mode a peer's state is given here: setuid and setgid bits are dropped from files (a peer
     * with the secret could otherwise plant a setuid binary owned by root); directories keep setgid
     * and the sticky bit. The local state then differs from the announced one, so the file is
     * announced back without them and every node ends up with the same safe mode.
     */
    static int safeMode(FileState want) {
        return want.type() == FileType.FILE ? want.mode() & 01777 : want.mode() & 03777;
    }

    /** Whether a peer may name {@code rel}: never the node's working dir, whatever a codec let through (logged). */
    boolean allowed(RelPath rel) {
        if (rel.startsWith(WireCodec.WORK_DIR)) {
            LOG.warning("refused a peer's change of " + rel + ": " + WireCodec.WORK_DIR + "/ is this node's private working dir");
            return false;
        }
        return true;
    }

    /**
     * A peer's version that is here already as the peer has it (moved here with a directory it
     * renamed, say): nothing is written, but what the watcher reports of it is that version, not a
     * change of this node's.
     */
    void alreadyHere(RelPath rel, FileState state) {
        echoes.expect(rel, state);
    }

    /** The state of {@code rel} here (null: none), read through its directory's handle; a link on the way is refused. */
    FileState state(RelPath rel, FileState known) throws IOException {
        try (Dir parent = top.parentOf(rel)) {
            return FileStates.of(parent.path(Dir.name(rel)), known);
        } catch (NoSuchFileException missingParent) {
            return null;
        }
    }

    /**
     * The directory {@code rel} goes in, made (and registered as echoes) where missing. A directory
     * made here has the mode the index holds for it, if it holds one: the version every node agreed
     * on, which the others have (it was renamed or deleted here while a peer wrote into it). Made
     * with another mode and registered as an echo, it would differ from theirs for good.
     */
    private Dir parentMade(RelPath rel) throws IOException {
        return top.makeParents(rel, NEW_DIR, (made, parent, name) -> {
            FileState known = agreed.apply(made);
            if (known != null && known.type() == FileType.DIRECTORY) parent.chmod(name, safeMode(known));
            echoes.expect(made, FileStates.of(parent.path(name)));
        });
    }

    /** Makes directory {@code rel} with {@code want}'s mode, or sets the mode of the one there. */
    void directory(RelPath rel, FileState want, boolean exists) throws IOException {
        try (Dir parent = parentMade(rel)) {
            byte[] name = Dir.name(rel);
            echoes.expect(rel, want);
            // Made with the wanted mode (less what the umask takes, set again below), never with
            // another one in between: the watcher could read that and announce it as a change.
            if (!exists) parent.mkdir(name, safeMode(want));
            parent.chmod(name, safeMode(want));
        }
    }

    /** Makes symlink {@code rel} pointing at {@code target}, replacing what is there. */
    void symlink(RelPath rel, FileState want) throws IOException {
        try (Dir parent = parentMade(rel)) {
            byte[] name = Dir.name(rel);
            if (parent.stat(name) != null) {
                echoes.expect(rel, null);
                replaced.discard(parent, name, rel);
            }
            echoes.expect(rel, want);
            parent.symlink(want.linkTarget(), name);
        }
    }

    /**
     * Sets mode and nanosecond mtime of what is at {@code rel} (the bytes are already right). A file
     * with other names (a hard link made here) gets an inode of its own first, a copy renamed over
     * it: a peer's change is to the path it names, and stamped on the shared inode it would change
     * the other names too, which then differ from every peer's (and are announced as changed here).
     */
    void stamp(RelPath rel, FileState want) throws IOException {
        try (Dir parent = top.parentOf(rel)) {
            byte[] name = Dir.name(rel);
            echoes.expect(rel, want);
            Stat here = parent.stat(name);
            if (here != null && here.type() == FileType.FILE && here.links() > 1) {
                unlinked(parent, name, want);
                return;
            }
            if (want.type() != FileType.SYMLINK) parent.chmod(name, safeMode(want));
            parent.setMtime(name, want.mtimeNanos());
        }
    }

    /** Replaces file {@code name} in {@code parent} with a copy of it stamped with {@code want}'s mode and mtime. */
    private void unlinked(Dir parent, byte[] name, FileState want) throws IOException {
        byte[] tmp = bytes("unlinked-" + System.nanoTime());
        try (Dir staging = staging()) {
            try {
                parent.copyFile(name, staging, tmp, safeMode(want), want.mtimeNanos());
                staging.rename(tmp, parent, name);
            } finally {
                staging.unlink(tmp); // left only if it was not renamed
            }
        }
    }

    /**
     * Renames {@code from} to {@code to} (a peer's rename), registering both; never over something
     * that appeared at {@code to} meanwhile. @return false if something is there now (nothing moved)
     */
    boolean rename(RelPath from, RelPath to, FileState state) throws IOException {
        try (Dir source = top.parentOf(from); Dir target = parentMade(to)) {
            echoes.expect(from, null);
            echoes.expect(to, state);
            source.renameNoReplace(Dir.name(from), target, Dir.name(to));
            return true;
        } catch (FileAlreadyExistsException taken) {
            echoes.expect(from, null);
            return false;
        }
    }

    /** Deletes {@code rel} (a file, link or whole directory) if it exists; its files are kept as versions. */
    void delete(RelPath rel) throws IOException {
        try (Dir parent = top.parentOf(rel)) {
            echoes.expect(rel, null);
            replaced.discard(parent, Dir.name(rel), rel);
        } catch (NoSuchFileException missingParent) {
            // nothing there to delete
        }
    }

    /** Decides, per file below a directory a peer deletes, whether it goes. */
    interface Deletable {
        /** Whether {@code rel} goes ({@code directory}: an empty one below the deleted directory). */
        boolean test(RelPath rel, Path readable, boolean directory) throws IOException;
    }

    /**
     * Deletes {@code rel}: a file or link at once; below a directory, the files and the directories
     * left empty that {@code deletable} lets go, and itself if it is left empty. @return the files kept
     */
    List<RelPath> deleteBelow(RelPath rel, Deletable deletable) throws IOException {
        List<RelPath> kept = new ArrayList<>();
        try (Dir parent = top.parentOf(rel)) {
            byte[] name = Dir.name(rel);
            Stat st = parent.stat(name);
            if (st != null && st.type() != FileType.DIRECTORY) {
                echoes.expect(rel, null);
                replaced.discard(parent, name, rel);
            } else {
                deleteBelow(parent, name, rel, deletable, kept, true);
            }
        } catch (NoSuchFileException gone) {
            // deleted meanwhile
        }
        return kept;
    }

    private void deleteBelow(Dir parent, byte[] name, RelPath rel, Deletable deletable, List<RelPath> kept, boolean top)
            throws IOException {
        Stat st = parent.stat(name);
        if (st == null) return;
        if (st.type() != FileType.DIRECTORY) {
            if (deletable.test(rel, parent.path(name), false)) {
                echoes.expect(rel, null);
                replaced.discard(parent, name, rel);
            } else {
                kept.add(rel);
            }
            return;
        }
        try (Dir dir = parent.openDir(name)) {
            for (byte[] child : dir.list()) deleteBelow(dir, child, child(rel, child), deletable, kept, false);
            if (dir.list().isEmpty() && (top || deletable.test(rel, parent.path(name), true))) {
                echoes.expect(rel, null);
                parent.rmdir(name);
            }
        }
    }

    /**
     * Keeps a copy of the file or symlink at {@code rel} as {@code aside} (a conflict's loser): a
     * copy, not a rename, announced from here as a new file. The file is read through its open
     * descriptor and copied into the staging dir before it is renamed into place.
     */
    void copyAside(RelPath rel, RelPath aside, FileState local) throws IOException {
        if (local.type() == FileType.SYMLINK) {
            try (Dir parent = parentMade(aside)) {
                parent.symlink(local.linkTarget(), Dir.name(aside));
            }
            return;
        }
        if (local.type() != FileType.FILE) return;
        byte[] tmp = bytes("conflict-" + System.nanoTime());
        try (Dir staging = staging(); Dir from = top.parentOf(rel)) {
            try {
                from.copyFile(Dir.name(rel), staging, tmp, local.mode(), local.mtimeNanos());
                try (Dir to = parentMade(aside)) {
                    staging.rename(tmp, to, Dir.name(aside));
                }
            } finally {
                staging.unlink(tmp); // left only if it was not renamed
            }
        }
    }

    /**
     * Copies directory {@code from} (files, links and directories, with modes and mtimes) to
     * {@code to}, which must not exist: built in the staging dir, then renamed into place whole.
     */
    @Override
    public Copied copyTreeAside(RelPath from, RelPath to) throws IOException {
        try (Dir parent = top.parentOf(from)) {
            Stat st = parent.stat(Dir.name(from));
            if (st == null || st.type() != FileType.DIRECTORY) return Copied.NOT_A_DIRECTORY;
        } catch (NoSuchFileException gone) {
            return Copied.NOT_A_DIRECTORY;
        }
        try (Dir dest = top.parentOf(to)) {
            if (dest.stat(Dir.name(to)) != null) return Copied.EXISTS;
        } catch (NoSuchFileException noParentYet) {
            // made below
        }
        byte[] tmp = bytes("subtree-" + System.nanoTime());
        try (Dir staging = staging(); Dir source = top.dir(from)) {
            staging.mkdir(tmp, Staging.PRIVATE_DIR);
            try {
                copyInto(source, staging, tmp);
                try (Dir dest = parentMade(to)) {
                    if (dest.stat(Dir.name(to)) != null) return Copied.EXISTS;
                    staging.rename(tmp, dest, Dir.name(to));
                }
                return Copied.COPIED;
            } finally {
                staging.deleteTree(tmp); // left only if it was not renamed
            }
        }
    }

    /** Copies the directory {@code source} as {@code name} in {@code into} (which must not have it). */
    private static void copyInto(Dir source, Dir into, byte[] name) throws IOException {
        Stat self = source.stat(new byte[] {'.'});
        if (into.stat(name) == null) into.mkdir(name, Staging.PRIVATE_DIR);
        try (Dir dest = into.openDir(name)) {
            for (byte[] child : source.list()) {
                Stat st = source.stat(child);
                if (st == null) continue;
                switch (st.type()) {
                    case DIRECTORY -> {
                        try (Dir sub = source.openDir(child)) {
                            copyInto(sub, dest, child);
                        }
                    }
                    case SYMLINK -> source.copyLink(child, dest, child);
                    case FILE -> source.copyFile(child, dest, child, st.mode(), st.mtimeNanos());
                    default -> { }
                }
            }
        }
        into.chmod(name, self.mode());
        into.setMtime(name, self.mtimeNanos());
    }

    /**
     * Places a pulled file: checks it against {@code want} (size and sha256, through its open
     * descriptor), stamps mode and mtime on it, then renames it to {@code rel}, whose directory is
     * resolved (and made) now, right before the rename.
     *
     * @param decide told the state at {@code rel} now; returns where the file goes: {@code rel},
     *               another path (a conflict copy) or null to drop it
     * @return where the file went and its inode, or null if it was not placed
     */
    Placed place(Dir staged, RelPath stagedAs, FileState want, Decide decide) throws IOException {
        try (Dir from = staged.parentOf(stagedAs)) {
            byte[] stagedName = Dir.name(stagedAs);
            Stat served = from.stat(stagedName);
            // Not served, or not as a file (the path is a directory at the source by now): not as announced.
            if (served == null || served.type() != FileType.FILE) return null;
            try (OpenFile f = from.openFile(stagedName)) {
                Stat st = f.stat();
                if (st.size() != want.size() || !java.util.Arrays.equals(f.sha256(), want.sha256())) {
                    return null;
                }
                f.chmod(safeMode(want));
                f.setMtime(want.mtimeNanos());
            }
            RelPath at = decide.where(this);
            if (at == null) return null;
            try (Dir to = parentMade(at)) {
                byte[] name = Dir.name(at);
                Stat there = to.stat(name);
                if (there != null && there.type() == FileType.DIRECTORY) {
                    echoes.expect(at, null);
                    replaced.discard(to, name, at);
                } else if (there != null) {
                    replaced.keepCopy(to, name, at, there);
                }
                // The peer's version, or a copy the applier announces itself: no change for the watcher.
                echoes.expect(at, want);
                from.rename(stagedName, to, name);
                Stat placed = to.stat(name);
                return new Placed(at, placed == null ? 0 : placed.inode());
            }
        } catch (NoSuchFileException vanished) {
            return null; // not served (gone at the origin)
        }
    }

    interface Decide {
        /** Where the checked file goes, seeing the tree as it is now (null: nowhere). */
        RelPath where(LocalTree tree) throws IOException;
    }

    record Placed(RelPath at, long inode) {}

    /**
     * The staging dir ({@code .jclsync/incoming}), opened fresh before each pull and copy: see
     * {@link Staging#open}.
     */
    Dir staging() throws IOException {
        return Staging.open(top);
    }

    /** {@code dir/name}; an IOException (never a runtime one) for a path too long to be one. */
    static RelPath child(RelPath dir, byte[] name) throws IOException {
        byte[] d = dir.bytes();
        byte[] joined = new byte[d.length + 1 + name.length];
        System.arraycopy(d, 0, joined, 0, d.length);
        joined[d.length] = '/';
        System.arraycopy(name, 0, joined, d.length + 1, name.length);
        try {
            return RelPath.of(joined);
        } catch (IllegalArgumentException e) {
            throw new IOException("below " + dir + ": " + e.getMessage());
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        top.close();
    }
}
