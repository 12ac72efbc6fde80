package io.jclsync.it;

import io.jclsync.fs.FileTrees;
import io.jclsync.fs.PathBytes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import java.nio.file.LinkOption;
import java.util.Arrays;

/**
 * Makes a random history from a seed: operations are tried on a model tree (a scratch directory,
 * through the same {@link ChaosFs} the run uses), so each step names paths that exist at that
 * point of the history, and renames of directories into fresh subdirectories come back again.
 * Faults are drawn from the kinds the caller allows.
 */
final class ChaosHistory {
    /** Names as users make them: plain, with spaces, newlines, backslashes, brackets and bytes that are not UTF-8. */
    private static final byte[][] NAMES = {
        b("a"), b("b"), b("c"), b("data"), b("x.txt"), b("log"), b("sp ace"), b("new\nline"), b("back\\slash"),
        b("[br]"), b("*?"), b("caf\u00e9"), {'l', 'a', 't', (byte) 0xe9}, {(byte) 0xff, (byte) 0xfe, 'z'}, b("-dash"),
        b(".hidden"),
    };
    private static final int MAX_DEPTH = 4;

    private final Random random;
    private final int nodes;
    private final List<ChaosOp.Kind> faults;
    private final Path modelRoot;
    private final ChaosFs model;
    private final List<ChaosOp> ops = new ArrayList<>();

    private ChaosHistory(long seed, int nodes, List<ChaosOp.Kind> faults, Path scratch) throws IOException {
        this.random = new Random(seed);
        this.nodes = nodes;
        this.faults = faults;
        this.modelRoot = Files.createDirectories(scratch.resolve("model"));
        this.model = new ChaosFs(modelRoot, Files.createDirectories(scratch.resolve("model-outside")), true);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param steps  how many file-system steps (faults come on top)
     * @param faults the fault kinds to draw from, empty for none
     */
    static List<ChaosOp> generate(long seed, int steps, int nodes, List<ChaosOp.Kind> faults, Path scratch)
            throws IOException, InterruptedException {
        ChaosHistory h = new ChaosHistory(seed, nodes, faults, scratch);
        try {
            while (h.ops.size() < steps) h.step();
        } finally {
            FileTrees.delete(h.modelRoot, scratch);
        }
        return h.ops;
    }

    private void step() throws IOException, InterruptedException {
        int node = random.nextInt(nodes);
        if (!faults.isEmpty() && random.nextInt(40) == 0) {
            ChaosOp.Kind f = faults.get(random.nextInt(faults.size()));
            add(new ChaosOp(ops.size(), pause(), node, f, null, null, 500 + random.nextInt(2500)));
            return;
        }
        List<Path> entries = list();
        int roll = random.nextInt(100);
        ChaosOp op;
        if (roll < 18 || entries.size() < 5) op = fresh(node, ChaosOp.Kind.CREATE, size());
        else if (roll < 24) op = fresh(node, ChaosOp.Kind.MKDIR, 0);
        else if (roll < 32) op = on(node, ChaosOp.Kind.OVERWRITE, entries, ChaosHistory::isFile, size());
        else if (roll < 38) op = on(node, ChaosOp.Kind.APPEND, entries, ChaosHistory::isFile, 1 + random.nextInt(2048));
        else if (roll < 40) op = on(node, ChaosOp.Kind.TRUNCATE, entries, ChaosHistory::isFile, random.nextInt(64));
        else if (roll < 43) op = on(node, ChaosOp.Kind.SAMESIZE, entries, ChaosHistory::isFile, 0);
        else if (roll < 46) op = on(node, ChaosOp.Kind.CHMOD, entries, p -> true, ChaosFs.MODES[random.nextInt(ChaosFs.MODES.length)]);
        else if (roll < 49) op = symlink(node, entries);
        else if (roll < 51) op = hardlink(node, entries);
        else if (roll < 62) op = rename(node, entries);
        else if (roll < 66) op = fresh(node, ChaosOp.Kind.MOVE_IN, random.nextInt(4000));
        else if (roll < 69) op = on(node, ChaosOp.Kind.MOVE_OUT, entries, p -> true, 0);
        else if (roll < 76) op = on(node, ChaosOp.Kind.RM, entries, p -> !isDir(p), 0);
        else if (roll < 80) op = on(node, ChaosOp.Kind.RMR, entries, ChaosHistory::isDir, 0);
        else if (roll < 84) op = on(node, ChaosOp.Kind.RETYPE, entries, p -> true, random.nextInt(3));
        else if (roll < 85) op = fresh(node, ChaosOp.Kind.BIGFILE, 8 + random.nextInt(17));
        else if (roll < 88) op = on(node, ChaosOp.Kind.MTIME, entries, ChaosHistory::isFile,
                random.nextBoolean() ? -1 - random.nextInt(4000) : 1 + random.nextInt(400));
        else if (roll < 94) op = moveDownAndBack(node, entries);
        else op = fresh(node, ChaosOp.Kind.CREATE, size());
        if (op != null) add(op);
    }

    /** Adds the step if it applies to the model (a step that would be skipped is not worth running). */
    private void add(ChaosOp op) throws IOException, InterruptedException {
        if (op.kind().isFault() || model.apply(op)) ops.add(op);
    }

    private long pause() {
        int r = random.nextInt(20);
        if (r < 8) return 0;                         // a burst
        if (r < 18) return random.nextInt(150);
        return 500 + random.nextInt(1500);            // let a batch go
    }

    private long size() {
        return random.nextInt(10) == 0 ? 20_000 + random.nextInt(300_000) : random.nextInt(4096);
    }

    private ChaosOp fresh(int node, ChaosOp.Kind kind, long n) throws IOException {
        byte[] path = freshPath(list());
        return path == null ? null : new ChaosOp(ops.size(), pause(), node, kind, path, null, n);
    }

    private ChaosOp on(int node, ChaosOp.Kind kind, List<Path> entries, Predicate<Path> ok, long n) {
        Path p = pick(entries, ok);
        return p == null ? null : new ChaosOp(ops.size(), pause(), node, kind, rel(p), null, n);
    }

    private ChaosOp symlink(int node, List<Path> entries) throws IOException {
        byte[] path = freshPath(entries);
        if (path == null) return null;
        Path other = pick(entries, p -> true);
        byte[] target = other == null || random.nextInt(4) == 0 ? b("dangling-" + ops.size()) : rel(other);
        return new ChaosOp(ops.size(), pause(), node, ChaosOp.Kind.SYMLINK, path, target, 0);
    }

    private ChaosOp hardlink(int node, List<Path> entries) throws IOException {
        Path file = pick(entries, ChaosHistory::isFile);
        byte[] to = freshPath(entries);
        return file == null || to == null ? null
                : new ChaosOp(ops.size(), pause(), node, ChaosOp.Kind.HARDLINK, rel(file), to, 0);
    }

    /** Within a directory, across directories, or over an existing file. */
    private ChaosOp rename(int node, List<Path> entries) throws IOException {
        Path from = pick(entries, p -> true);
        if (from == null) return null;
        byte[] to;
        if (random.nextInt(5) == 0 && !isDir(from)) {
            Path victim = pick(entries, p -> isFile(p) && !p.equals(from));
            to = victim == null ? freshPath(entries) : rel(victim);
        } else {
            to = freshPath(entries);
        }
        return to == null ? null : new ChaosOp(ops.size(), pause(), node, ChaosOp.Kind.RENAME, rel(from), to, 0);
    }

    /** mkdir fresh; mv dir fresh/dir; (later) mv fresh/dir dir: the "into a fresh subdirectory and back" users do. */
    private ChaosOp moveDownAndBack(int node, List<Path> entries) throws IOException, InterruptedException {
        Path dir = pick(entries, ChaosHistory::isDir);
        if (dir == null) return null;
        byte[] fresh = freshName(dir.getParent());
        if (fresh == null) return null;
        Path freshDir = PathBytes.child(dir.getParent(), fresh);
        byte[] down = rel(PathBytes.child(freshDir, PathBytes.of(dir.getFileName())));
        add(new ChaosOp(ops.size(), pause(), node, ChaosOp.Kind.MKDIR, rel(freshDir), null, 0));
        add(new ChaosOp(ops.size(), random.nextInt(50), node, ChaosOp.Kind.RENAME, rel(dir), down, 0));
        if (random.nextBoolean()) {
            return new ChaosOp(ops.size(), random.nextInt(1500), node, ChaosOp.Kind.RENAME, down, rel(dir), 0);
        }
        return null;
    }

    private static boolean isFile(Path p) {
        return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS);
    }

    private static boolean isDir(Path p) {
        return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
    }

    private Path pick(List<Path> entries, Predicate<Path> ok) {
        List<Path> fit = new ArrayList<>();
        for (Path p : entries) if (ok.test(p)) fit.add(p);
        return fit.isEmpty() ? null : fit.get(random.nextInt(fit.size()));
    }

    /** A path that does not exist yet, in the root or an existing directory not too deep. */
    private byte[] freshPath(List<Path> entries) throws IOException {
        Path dir = random.nextInt(4) == 0 ? modelRoot
                : pick(entries, p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                        && modelRoot.relativize(p).getNameCount() < MAX_DEPTH);
        if (dir == null) dir = modelRoot;
        byte[] name = freshName(dir);
        return name == null ? null : rel(PathBytes.child(dir, name));
    }

    private byte[] freshName(Path dir) {
        for (int i = 0; i < 8; i++) {
            byte[] base = NAMES[random.nextInt(NAMES.length)];
            byte[] name = random.nextBoolean() ? base : concat(base, b(Integer.toString(random.nextInt(50))));
            if (!Files.exists(PathBytes.child(dir, name), LinkOption.NOFOLLOW_LINKS)) return name;
        }
        return null;
    }

    private static byte[] concat(byte[] x, byte[] y) {
        byte[] out = new byte[x.length + y.length];
        System.arraycopy(x, 0, out, 0, x.length);
        System.arraycopy(y, 0, out, x.length, y.length);
        return out;
    }

    private byte[] rel(Path p) {
        return PathBytes.of(modelRoot.relativize(p));
    }

    /** Every entry of the model, in a stable order (so a seed always makes the same history). */
    private List<Path> list() throws IOException {
        List<Path> out = new ArrayList<>();
        Files.walkFileTree(modelRoot, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (!dir.equals(modelRoot)) out.add(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                out.add(file);
                return FileVisitResult.CONTINUE;
            }
        });
        out.sort((x, y) -> Arrays.compareUnsigned(PathBytes.of(x), PathBytes.of(y)));
        return out;
    }
}
