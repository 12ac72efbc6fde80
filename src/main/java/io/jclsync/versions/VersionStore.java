package io.jclsync.versions;

import io.jclsync.fs.FileTrees;
import io.jclsync.fs.PathBytes;
import io.jclsync.fs.PrivateDirs;
import io.jclsync.fs.RelPath;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.Set;

/**
 * The old versions of one tree's files, in a directory outside the tree ({@code --versions-dir}).
 *
 * <pre>
 * VERSIONS_DIR/                      0700, never a symlink
 *   files/DIR/NAME~YYYYMMDD-HHMMSS.mmm   the version of DIR/NAME kept at that UTC time ({@link VersionName})
 *   incoming/YYYYMMDD-HHMMSS.mmm/PATH    rsync's --backup-dir of one run, adopted into files/ after it
 *   tmp/                                 copies on their way in when the store is on another file system
 * </pre>
 *
 * <p>Keeping a version is a rename into the store. A caller that renames itself (through its own
 * directory descriptors) asks {@link #reserve} for the name, renames, then calls {@link #kept};
 * others call {@link #keep}. Only the path's own directory in the store is ever listed on that
 * way; the whole store is walked by {@link #expire} alone, on a background thread.
 *
 * <p><b>When a version cannot be kept</b> (the store's disk is full, say), {@link #keep} throws an
 * {@link IOException} naming the path and the store, and leaves the file where it was, whole. The
 * caller logs it and applies the change anyway: syncing goes on, and the tree always holds the
 * current file; only that old version is lost.
 *
 * <p>Thread-safe: every method may be called from any thread.
 */
public final class VersionStore {
    /** How long a directory {@link #reserve} made is left alone by {@link #expire} even while empty. */
    private static final Duration RESERVATION = Duration.ofMinutes(10);

    private final Path dir;
    private final Path files;
    private final Path incoming;
    private final Path tmp;
    private final VersioningPolicy policy;
    private final Clock clock;
    private final Object lock = new Object();
    /** Names handed out by {@link #reserve} and not yet {@link #kept}, with when: neither given twice nor their directory removed. */
    private final Map<Path, Instant> reserved = new HashMap<>();

    private VersionStore(Path dir, VersioningPolicy policy, Clock clock) {
        this.dir = dir;
        this.files = dir.resolve("files");
        this.incoming = dir.resolve("incoming");
        this.tmp = dir.resolve("tmp");
        this.policy = policy;
        this.clock = clock;
    }

    /**
     * Opens (making it 0700 if missing) the store at {@code dir}.
     *
     * @throws IOException when {@code dir} is a symlink, not a directory, or others may write to it; the message names the fix
     */
    public static VersionStore open(Path dir, VersioningPolicy policy, Clock clock) throws IOException {
        Path d = dir.toAbsolutePath().normalize();
        if (Files.isSymbolicLink(d)) {
            throw new IOException("versions dir " + d + " is a symlink: give the real directory with --versions-dir");
        }
        PrivateDirs.makeIfMissing(d);
        String problem = PrivateDirs.problem(d, true);
        if (problem != null) throw new IOException("versions dir " + d + " " + problem + " (chmod 700 it, or pick another)");
        VersionStore store = new VersionStore(d, policy, clock);
        for (Path sub : List.of(store.files, store.incoming, store.tmp)) {
            if (Files.isSymbolicLink(sub)) throw new IOException(sub + " is a symlink: the versions dir was tampered with");
            Files.createDirectories(sub);
        }
        return store;
    }

    public Path dir() {
        return dir;
    }

    public VersioningPolicy policy() {
        return policy;
    }

    /**
     * Makes the store's directory for {@code rel}'s versions and returns the unused path its old
     * version must now be renamed to (the current time in its name, moved on by a millisecond when taken).
     * The caller renames the file or symlink there with rename(2) (renameat), then calls
     * {@link #kept}. Only when the rename fails with EXDEV (the store is on another file system)
     * does it copy to that path (mode and mtime kept) and delete the original; a copy that fails is
     * removed again, and the original is left alone.
     *
     * @throws IOException when the directory cannot be made, or the name is too long for a version's suffix
     */
    /** Where copies wait on their way in (same file system as the versions), so a copy cut short never shows as one. */
    public Path tmpDir() {
        return tmp;
    }

    public Path reserve(RelPath rel) throws IOException {
        Slot slot = Slot.of(files, rel);
        synchronized (lock) {
            Instant now = clock.instant();
            reserved.values().removeIf(when -> when.plus(RESERVATION).isBefore(now));
            Path p = slot.free(now, reserved.keySet());
            reserved.put(p, now);
            return p;
        }
    }

    /**
     * Says the version {@link #reserve} named for {@code rel} is in place; with {@code simple:N} or
     * {@code staggered}, that path's versions are thinned out now (its directory in the store is
     * listed, nothing else).
     */
    public void kept(RelPath rel) throws IOException {
        List<Version> versions = versionsOf(rel);
        synchronized (lock) {
            for (Version v : versions) reserved.remove(v.file());
        }
        if (policy.thinsOnKeep()) remove(versions, policy.toRemove(times(versions), clock.instant()));
    }

    /**
     * Moves {@code current} (a file, symlink or whole directory, at {@code rel} in the tree) into
     * the store: {@link #reserve}, rename (a copy only across file systems), {@link #kept}. A
     * directory's files are kept one by one and the directory is removed.
     *
     * @throws IOException when it could not be kept; what was not kept is still at {@code current}, whole
     */
    public void keep(Path current, RelPath rel) throws IOException {
        BasicFileAttributes a = Files.readAttributes(current, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isDirectory()) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(current)) {
                for (Path child : entries) {
                    byte[] name = PathBytes.of(child.getFileName());
                    keep(child, RelPath.of(concat(rel.bytes(), name)));
                }
            }
            Files.delete(current);
            return;
        }
        Path target = reserve(rel);
        try {
            Files.move(current, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException acrossFileSystems) {
            copyIn(current, target, rel);
            Files.delete(current);
        }
        kept(rel);
    }

    /**
     * Keeps a copy of {@code current}, which stays where it is: a hard link when the store is on the
     * same file system (the caller then replaces {@code current} by a rename, never by writing into it), else a copy.
     */
    public void keepCopy(Path current, RelPath rel) throws IOException {
        Path target = reserve(rel);
        try {
            Files.createLink(target, current);
        } catch (IOException | UnsupportedOperationException notHere) {
            copyIn(current, target, rel);
        }
        kept(rel);
    }

    /** Copies into the store through {@code tmp/}, so a copy cut short (a full disk) never shows as a version. */
    private void copyIn(Path current, Path target, RelPath rel) throws IOException {
        Path part = tmp.resolve(UUID.randomUUID().toString());
        try {
            VersionCopies.copy(current, part);
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.deleteIfExists(part);
            throw new IOException("cannot keep the old version of " + rel + " in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** A time as version names and backup dirs carry it: {@code YYYYMMDD-HHMMSS.mmm}, UTC. */
    public static String stamp(Instant time) {
        return VersionName.format(time);
    }

    /** A time as {@link #stamp} writes it, or ISO-8601 ({@code 2026-01-02T15:04:05Z}). */
    public static Instant parseStamp(String text) {
        return VersionName.parseTime(text);
    }

    /** A fresh directory for one rsync run's {@code --backup-dir} (not made: rsync makes it), adopted by {@link #adoptIncoming}. */
    public Path incomingDir() {
        return incoming.resolve(VersionName.format(clock.instant()));
    }

    /**
     * Moves what rsync backed up into {@code incoming/} into the store, each file as a version kept
     * at its run's time, then applies the policy to each of those paths. Called after each run, and
     * at start for runs a stop cut short.
     *
     * @return how many versions were adopted
     */
    public int adoptIncoming() throws IOException {
        int adopted = 0;
        try (DirectoryStream<Path> runs = Files.newDirectoryStream(incoming)) {
            for (Path run : runs) adopted += VersionWalk.adopt(this, run);
        }
        return adopted;
    }

    /**
     * Removes one rsync run's backup dir unread: after a run that failed while copying backups
     * across file systems, a file there may be cut short and must not pass for a version.
     */
    public void discardIncoming(Path run) throws IOException {
        Path r = run.toAbsolutePath().normalize();
        if (!r.getParent().equals(incoming)) throw new IOException(run + " is not a run's dir in " + incoming);
        if (Files.exists(r, LinkOption.NOFOLLOW_LINKS)) FileTrees.delete(r, incoming);
    }

    /** Adopts one backed-up file as the version of {@code rel} kept at {@code time}. */
    void adopt(Path backedUp, RelPath rel, Instant time) throws IOException {
        synchronized (lock) {
            Files.move(backedUp, Slot.of(files, rel).free(time, reserved.keySet()), StandardCopyOption.ATOMIC_MOVE);
        }
        kept(rel);
    }

    /**
     * The versions of {@code prefix} and of everything below it (all of them for null), by path
     * (raw bytes) and then time, oldest first.
     */
    public List<Version> list(RelPath prefix) throws IOException {
        List<Version> out = new ArrayList<>();
        if (prefix == null) {
            VersionWalk.collect(files, files, out);
        } else {
            out.addAll(versionsOf(prefix));
            Path below = PathBytes.child(files, prefix.bytes());
            if (Files.isDirectory(below, LinkOption.NOFOLLOW_LINKS)) VersionWalk.collect(files, below, out);
        }
        out.sort(ORDER);
        return List.copyOf(out);
    }

    /**
     * Writes the version of {@code rel} kept at {@code at} (the newest kept at or before it; the
     * newest of all for null) to {@code to}: a temp file next to it renamed over it, with the
     * version's mode and mtime. What is at {@code to} is kept first, as a version of {@code rel};
     * the version itself stays in the store.
     *
     * @return the version written
     * @throws NoSuchFileException when no such version exists
     */
    public Version restore(RelPath rel, Instant at, Path to) throws IOException {
        List<Version> versions = versionsOf(rel);
        Version chosen = null;
        for (Version v : versions) {
            if (at == null || !v.time().isAfter(at)) chosen = v;
        }
        if (chosen == null) {
            throw new NoSuchFileException(rel.toString(), null, "no version kept" + (at == null ? "" : " at or before "
                    + VersionName.format(at)) + " in " + dir + " (jclsync versions list shows what there is)");
        }
        if (Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(to + " is a directory: restore a file to a file's path");
        }
        Path parent = to.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path part = parent.resolve(".jclsync-restore-" + UUID.randomUUID());
        try {
            VersionCopies.copy(chosen.file(), part);
            if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) keepCopy(to, rel);
            Files.move(part, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(part);
        }
        return chosen;
    }

    /**
     * Thins out the whole store by the policy (trash: older than its days; simple: more than N of a
     * path; staggered: Syncthing's intervals), removes directories left empty and stale copies
     * in {@code tmp/}. Walks the store, never the tree; for a background thread.
     *
     * @return how many versions were removed
     */
    public int expire() throws IOException {
        Instant now = clock.instant();
        int removed = 0;
        for (List<Version> ofOnePath : VersionWalk.byPath(files)) {
            List<Instant> drop = policy.toRemove(times(ofOnePath), now);
            removed += remove(ofOnePath, drop);
        }
        VersionWalk.removeEmptyDirs(files, this::removableDir);
        return removed;
    }

    /** Whether an empty store directory may go: not one just handed out by {@link #reserve}. */
    private boolean removableDir(Path emptyDir) throws IOException {
        synchronized (lock) {
            Instant now = clock.instant();
            for (Map.Entry<Path, Instant> r : reserved.entrySet()) {
                if (r.getKey().getParent().equals(emptyDir) && r.getValue().plus(RESERVATION).isAfter(now)) return false;
            }
            try {
                Files.delete(emptyDir);
            } catch (DirectoryNotEmptyException | NoSuchFileException raced) {
                return false;
            }
            return true;
        }
    }

    /** The versions of exactly {@code rel}: one directory of the store listed. */
    private List<Version> versionsOf(RelPath rel) throws IOException {
        Slot slot = Slot.of(files, rel);
        List<Version> out = new ArrayList<>();
        if (!Files.isDirectory(slot.dir(), LinkOption.NOFOLLOW_LINKS)) return out;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(slot.dir())) {
            for (Path entry : entries) {
                VersionName v = VersionName.decode(PathBytes.of(entry.getFileName()));
                if (v != null && Arrays.equals(v.name(), slot.name())) VersionWalk.version(files, entry, out);
            }
        }
        out.sort(ORDER);
        return out;
    }

    /** Where the versions of one path go: the store directory of its parent, and its own name. */
    private record Slot(Path dir, byte[] name, RelPath rel) {
        static Slot of(Path files, RelPath rel) {
            byte[] raw = rel.bytes();
            int slash = raw.length - 1;
            while (slash >= 0 && raw[slash] != '/') slash--;
            Path dir = slash < 0 ? files : PathBytes.child(files, Arrays.copyOf(raw, slash));
            return new Slot(dir, Arrays.copyOfRange(raw, slash + 1, raw.length), rel);
        }

        /** Makes the directory and returns the first name at {@code time} or a millisecond after that is neither there nor {@code taken}. */
        Path free(Instant time, Set<Path> taken) throws IOException {
            Files.createDirectories(dir);
            while (true) {
                Path p;
                try {
                    p = PathBytes.child(dir, new VersionName(name, time).encode());
                } catch (IllegalArgumentException e) {
                    throw new IOException("cannot keep a version of " + rel + ": " + e.getMessage());
                }
                if (!taken.contains(p) && !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return p;
                time = time.plusMillis(1);
            }
        }
    }

    private static int remove(List<Version> versions, List<Instant> drop) throws IOException {
        int removed = 0;
        for (Version v : versions) {
            if (drop.contains(v.time()) && Files.deleteIfExists(v.file())) removed++;
        }
        return removed;
    }

    private static List<Instant> times(List<Version> versions) {
        return versions.stream().map(Version::time).toList();
    }

    static byte[] concat(byte[] dir, byte[] name) {
        byte[] out = Arrays.copyOf(dir, dir.length + 1 + name.length);
        out[dir.length] = '/';
        System.arraycopy(name, 0, out, dir.length + 1, name.length);
        return out;
    }

    static final Comparator<Version> ORDER = Comparator.comparing(Version::path, RelPath.PARENTS_FIRST)
            .thenComparing(Version::time);

    /** Removes the stale copies a crash may have left in {@code tmp/}; at start, before anyone keeps anything. */
    public void cleanTmp() throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmp)) {
            for (Path p : entries) Files.deleteIfExists(p);
        }
    }
}
