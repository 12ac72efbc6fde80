package io.jclsync.it;

import io.jclsync.fs.PathBytes;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.DirectoryStream;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.TimeUnit;
import java.nio.file.DirectoryNotEmptyException;

/**
 * Applies a {@link ChaosOp} to a tree the way a user's shell would. A step whose preconditions do
 * not hold on this tree (its path is gone, its target taken) is skipped: in a cluster the nodes'
 * trees differ while changes travel. Every write puts a unique token ({@code tok=INDEX;}) in its
 * file, so the checker can tell which writes survived.
 */
final class ChaosFs {
    static final Pattern TOKEN = Pattern.compile("tok=(\\d+);");
    static final int[] MODES = {0644, 0600, 0755, 0640, 0444};
    static final int[] DIR_MODES = {0755, 0700, 0750};

    private final Path root;
    private final Path outside;
    /** A model tree (history generation): big files are small and nothing sleeps. */
    private final boolean model;
    /** Where the running step records the tokens it destroyed (see {@link #apply(ChaosOp, Set)}). */
    private Set<Integer> destroyed = new HashSet<>();

    ChaosFs(Path root, Path outside, boolean model) {
        this.root = root;
        this.outside = outside;
        this.model = model;
    }

    Path resolve(byte[] rel) {
        return PathBytes.child(root, rel);
    }

    static byte[] token(int index) {
        return ("tok=" + index + ";").getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code size} bytes starting with the op's token, the rest filler that differs per op. */
    static byte[] content(int index, long size) {
        byte[] tok = token(index);
        byte[] out = new byte[(int) Math.max(size, tok.length + 1)];
        System.arraycopy(tok, 0, out, 0, tok.length);
        for (int i = tok.length; i < out.length; i++) out[i] = (byte) ('a' + (i * 7 + index) % 26);
        out[out.length - 1] = '\n';
        return out;
    }

    /** @return whether the step changed the tree */
    boolean apply(ChaosOp op) throws IOException, InterruptedException {
        return apply(op, new HashSet<>());
    }

    /**
     * @param destroyed gets the tokens of what the step replaced or deleted, each read just before
     *     the call that replaced or deleted it and added once that call succeeded: a peer's file
     *     that arrives while a step runs (below a directory being removed, say) is counted only if
     *     the step destroyed it, so a loss is the history's doing exactly when the step saw it
     * @return whether the step changed the tree
     */
    boolean apply(ChaosOp op, Set<Integer> destroyed) throws IOException, InterruptedException {
        this.destroyed = destroyed;
        Path a = resolve(op.a());
        Path b = op.b().length == 0 ? null : resolve(op.b());
        try {
            return switch (op.kind()) {
                case CREATE -> !exists(a) && dirExists(a.getParent()) && write(a, content(op.index(), op.n()), false);
                case OVERWRITE -> isFile(a) && overwrite(a, content(op.index(), op.n()));
                case APPEND -> isFile(a) && write(a, content(op.index(), op.n()), true);
                case TRUNCATE -> isFile(a) && truncate(a, op.n());
                case SAMESIZE -> isFile(a) && sameSize(a, op.index());
                case CHMOD -> chmod(a, (int) op.n());
                case MKDIR -> !exists(a) && dirExists(a.getParent()) && mkdir(a);
                case SYMLINK -> !exists(a) && dirExists(a.getParent()) && symlink(a, op.b());
                case HARDLINK -> isFile(a) && !exists(b) && dirExists(b.getParent()) && link(b, a);
                case RENAME -> rename(a, b);
                case MOVE_IN -> !exists(a) && dirExists(a.getParent()) && moveIn(a, op);
                case MOVE_OUT -> exists(a) && moveOut(a, op.index());
                case RM -> exists(a) && !isDir(a) && delete(a);
                case RMR -> isDir(a) && deleteTree(a);
                case RETYPE -> exists(a) && retype(a, op);
                case BIGFILE -> !isDir(a) && dirExists(a.getParent()) && bigFile(a, op);
                case MTIME -> isFile(a) && mtime(a, op.n());
                default -> throw new IllegalArgumentException("not a file-system step: " + op);
            };
        } catch (NoSuchFileException | FileAlreadyExistsException | DirectoryNotEmptyException e) {
            return false; // raced with a peer's write on this tree: as if skipped
        }
    }

    private static boolean exists(Path p) {
        return p != null && Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }

    private static boolean isDir(Path p) {
        return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
    }

    private static boolean isFile(Path p) {
        return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS);
    }

    private boolean dirExists(Path p) {
        return p == null || isDir(p);
    }

    /** Tokens found in {@code bytes}. */
    static void tokens(byte[] bytes, Set<Integer> out) {
        Matcher m = TOKEN.matcher(new String(bytes, StandardCharsets.ISO_8859_1));
        while (m.find()) out.add(Integer.parseInt(m.group(1)));
    }

    /** The tokens of the regular file at {@code p}, read now; none if it is not one (or gone). */
    private static Set<Integer> witness(Path p) throws IOException {
        Set<Integer> out = new HashSet<>();
        if (!isFile(p)) return out;
        try {
            tokens(Files.readAllBytes(p), out);
        } catch (NoSuchFileException gone) {
            // replaced meanwhile by a peer's write
        }
        return out;
    }

    private boolean overwrite(Path p, byte[] bytes) throws IOException {
        Set<Integer> was = witness(p);
        write(p, bytes, false);
        destroyed.addAll(was);
        return true;
    }

    private static boolean write(Path p, byte[] bytes, boolean append) throws IOException {
        if (append) {
            Files.write(p, bytes, StandardOpenOption.APPEND);
        } else {
            Files.write(p, bytes, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        }
        return true;
    }

    private boolean truncate(Path p, long size) throws IOException {
        Set<Integer> was = witness(p);
        try (var ch = Files.newByteChannel(p, StandardOpenOption.WRITE)) {
            ch.truncate(Math.min(size, ch.size()));
        }
        destroyed.addAll(was);
        return true;
    }

    /** Same size, other bytes, written twice within a few ms: a quick check on size and whole seconds misses it. */
    private boolean sameSize(Path p, int index) throws IOException {
        long size = Files.size(p);
        byte[] bytes = content(index, size);
        if (bytes.length != size) return false; // too small to hold a token
        Set<Integer> was = witness(p);
        Files.write(p, bytes, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        destroyed.addAll(was);
        return true;
    }

    private static boolean chmod(Path p, int mode) throws IOException {
        if (isDir(p)) mode = mode | 0700;
        else if (!isFile(p)) return false;
        Files.setPosixFilePermissions(p, permissions(mode));
        return true;
    }

    static Set<PosixFilePermission> permissions(int mode) {
        StringBuilder s = new StringBuilder();
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) s.append((mode & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        return PosixFilePermissions.fromString(s.toString());
    }

    private static boolean mkdir(Path p) throws IOException {
        Files.createDirectory(p);
        return true;
    }

    private static boolean symlink(Path p, byte[] target) throws IOException {
        Files.createSymbolicLink(p, PathBytes.path(target));
        return true;
    }

    private static boolean link(Path link, Path existing) throws IOException {
        Files.createLink(link, existing);
        return true;
    }

    /** rename(2): a file may replace a file; a directory goes to a free name, never below itself. */
    private boolean rename(Path from, Path to) throws IOException {
        if (!exists(from) || !dirExists(to.getParent()) || to.startsWith(from)) return false;
        if (exists(to) && (isDir(from) || !isFile(to))) return false;
        Set<Integer> was = witness(to);
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        destroyed.addAll(was);
        return true;
    }

    /** A file (n even) or a small directory (n odd) made outside the tree, then moved in. */
    private boolean moveIn(Path to, ChaosOp op) throws IOException {
        Path staged = outside.resolve("in-" + op.index());
        if (op.n() % 2 == 0) {
            Files.write(staged, content(op.index(), op.n()));
        } else {
            Files.createDirectories(staged.resolve("sub"));
            Files.write(staged.resolve("f1"), content(op.index(), 100));
            Files.write(staged.resolve("sub").resolve("f2"), content(op.index(), 3000));
        }
        Files.move(staged, to, StandardCopyOption.ATOMIC_MOVE);
        return true;
    }

    private boolean moveOut(Path from, int index) throws IOException {
        Path gone = outside.resolve("out-" + index);
        Files.move(from, gone, StandardCopyOption.ATOMIC_MOVE);
        removeTree(gone); // out of the tree: exactly what the move took
        return true;
    }

    private boolean delete(Path p) throws IOException {
        Set<Integer> was = witness(p);
        Files.delete(p);
        destroyed.addAll(was);
        return true;
    }

    /**
     * rm -r, one entry at a time, each file read just before it is removed. A peer's entry that
     * arrives in a directory meanwhile fails its rmdir; the directory is listed again, as often as
     * that happens (a few times at most: the writers of this history are this one).
     */
    private boolean deleteTree(Path p) throws IOException {
        if (!p.normalize().startsWith(root) || p.normalize().equals(root)) throw new IOException("not below the tree: " + p);
        removeTree(p);
        return true;
    }

    private void removeTree(Path p) throws IOException {
        if (!isDir(p)) {
            delete(p);
            return;
        }
        for (int round = 0; ; round++) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(p)) {
                for (Path e : entries) {
                    try {
                        removeTree(e);
                    } catch (NoSuchFileException gone) {
                        // a peer's delete or rename got there first
                    }
                }
            }
            try {
                Files.delete(p);
                return;
            } catch (DirectoryNotEmptyException arrived) {
                if (round == 10) throw arrived;
            }
        }
    }

    /** Replaces the entry by another type: n 0 a file, 1 a directory (with a file in it), 2 a symlink. */
    private boolean retype(Path p, ChaosOp op) throws IOException {
        deleteTree(p);
        switch ((int) op.n()) {
            case 0 -> Files.write(p, content(op.index(), 200));
            case 1 -> {
                Files.createDirectory(p);
                Files.write(p.resolve("inner"), content(op.index(), 50));
            }
            default -> Files.createSymbolicLink(p, Path.of("target-" + op.index()));
        }
        return true;
    }

    /** n MiB written in 1 MiB pieces 100 ms apart (a slow writer); in the model a small file. */
    private boolean bigFile(Path p, ChaosOp op) throws IOException, InterruptedException {
        if (model) return write(p, content(op.index(), 100), false);
        byte[] piece = content(op.index(), 1 << 20);
        Set<Integer> was = witness(p);
        try (OutputStream out = Files.newOutputStream(p, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            destroyed.addAll(was);
            for (long i = 0; i < op.n(); i++) {
                out.write(piece);
                out.flush();
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }
        return true;
    }

    /** Sets the mtime {@code days} days from now (negative: the past). */
    private static boolean mtime(Path p, long days) throws IOException {
        long millis = System.currentTimeMillis() + TimeUnit.DAYS.toMillis(days);
        Files.setLastModifiedTime(p, FileTime.fromMillis(millis));
        return true;
    }
}
