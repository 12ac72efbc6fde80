package io.jclsync.apply;

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
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
public final class LocalTree implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalTree.class.getName());
    /** Parent directories a peer's change needs are made like mkdir(1) would (the umask applies). */
    private static final int NEW_DIR = 0777;

    private final Path root;
    private final EchoFilter echoes;
    private final Function<RelPath, FileState> agreed;
    private final Dir top;
    /** What a peer's change replaces or deletes goes through here (into the versions store, if any). */
    private final Replaced replaced;
    /** Copies of what is here under other names (conflict losers, subtrees taken over). */
    private final AsideCopier aside;
    private final Placing placing;
    private final Deleting deleting;

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
        this.aside = new AsideCopier(this, top);
        this.placing = new Placing(this, top, echoes, replaced, aside);
        this.deleting = new Deleting(top, echoes, replaced, aside);
    }

    /** Where copies of what is here are made under other names (through this tree's handles). */
    public AsideCopier aside() {
        return aside;
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
    Dir parentMade(RelPath rel) throws IOException {
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
            try {
                parent.chmod(name, safeMode(want));
            } catch (NoSuchFileException gone) {
                if (exists) throw gone;
                // Made, and removed here at once (a local rm -r): it is indexed as made, so that the
                // remove is announced; unindexed, the watcher's delete would be dropped as nothing.
            }
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
                aside.ownInode(parent, name, safeMode(want), want.mtimeNanos());
                return;
            }
            if (want.type() != FileType.SYMLINK) parent.chmod(name, safeMode(want));
            parent.setMtime(name, want.mtimeNanos());
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

    /** Whether a file held open since {@code seen} was stat'ed has been written to since ({@code now}: its stat). */
    static boolean writtenSince(Stat seen, Stat now) {
        return now.size() != seen.size() || now.mtimeNanos() != seen.mtimeNanos();
    }

    /** File {@code name} in {@code parent} opened for reading; null if it cannot be (not readable here). */
    static OpenFile openOrNull(Dir parent, byte[] name) {
        try {
            return parent.openFile(name);
        } catch (IOException unreadable) {
            return null; // gone, or not readable by this process: nothing to hold
        }
    }

    /** Decides, per file below a directory a peer deletes, whether it goes. */
    interface Deletable {
        /** Whether {@code rel} goes ({@code directory}: an empty one below the deleted directory). */
        boolean test(RelPath rel, Path readable, boolean directory) throws IOException;
    }

    /**
     * Deletes {@code rel}: a file or link at once; below a directory, the files and the directories
     * left empty that {@code deletable} lets go, and itself if it is left empty, as {@link Deleting}
     * does. @return the files kept
     */
    List<RelPath> deleteBelow(RelPath rel, Deletable deletable) throws IOException {
        return deleting.deleteBelow(rel, deletable);
    }

    /**
     * Places a pulled file at the path {@code decide} names, as {@link Placing} does.
     *
     * @return where the file went and its inode, or null if it was not placed
     */
    Placed place(Dir staged, RelPath stagedAs, FileState want, Decide decide) throws IOException {
        return placing.place(staged, stagedAs, want, decide);
    }

    interface Decide {
        /** The path the pulled file is for. */
        RelPath path();

        /** Where the checked file goes, seeing the tree as it is now (null: nowhere). */
        RelPath where(LocalTree tree) throws IOException;

        /** Where a local write found on the replaced file after the rename is kept (its mtime and content hash given). */
        RelPath lateWrite(long mtimeNanos, byte[] sha256);
    }

    /** @param lateWrite where a local write that landed on the replaced file was kept (null: none) */
    record Placed(RelPath at, long inode, RelPath lateWrite) {}

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

    @Override
    public void close() {
        top.close();
    }
}
