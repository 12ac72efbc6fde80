package io.jclsync.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import io.jclsync.fs.PathBytes;

/**
 * One step of a chaos history: a file-system operation on one node's tree, or a fault. Paths are
 * raw bytes relative to the tree (names may hold newlines and bytes that are not UTF-8). A history
 * is a text file, one operation a line, that {@code scripts/chaos --replay FILE} runs again.
 *
 * @param pauseMillis how long to wait before this step
 * @param node        the node whose tree (or process) it acts on; 0 in one-way histories
 * @param n           the operation's number: a size, a mode, a type, a duration
 */
record ChaosOp(int index, long pauseMillis, int node, Kind kind, byte[] a, byte[] b, long n) {

    enum Kind {
        // file-system operations
        CREATE, OVERWRITE, APPEND, TRUNCATE, SAMESIZE, CHMOD, MKDIR, SYMLINK, HARDLINK, RENAME, MOVE_IN, MOVE_OUT,
        RM, RMR, RETYPE, BIGFILE, MTIME,
        // faults: one-way
        OVERFLOW, DEST_READONLY,
        // faults: cluster
        KILL, FREEZE, ISOLATE, SPLIT, HEAL,
        // every rsync of a node (pulling, or serving a peer's pull) killed with SIGKILL
        KILL_RSYNC,
        // a node's file system (a small tmpfs holding its tree) filled to the last byte for a while
        DISK_FULL;

        boolean isFault() {
            return ordinal() >= OVERFLOW.ordinal();
        }
    }

    ChaosOp {
        a = a == null ? new byte[0] : a;
        b = b == null ? new byte[0] : b;
    }

    String line() {
        return index + " " + pauseMillis + " " + node + " " + kind + " " + encode(a) + " " + encode(b) + " " + n;
    }

    static ChaosOp parse(String line) {
        String[] f = line.trim().split(" ");
        if (f.length != 7) throw new IllegalArgumentException("not a chaos step: " + line);
        return new ChaosOp(Integer.parseInt(f[0]), Long.parseLong(f[1]), Integer.parseInt(f[2]), Kind.valueOf(f[3]),
                decode(f[4]), decode(f[5]), Long.parseLong(f[6]));
    }

    @Override
    public String toString() {
        return "#" + index + " node " + node + " " + kind + " " + PathBytes.display(a)
                + (b.length > 0 ? " -> " + PathBytes.display(b) : "") + " " + n;
    }

    private static String encode(byte[] bytes) {
        return bytes.length == 0 ? "-" : Base64.getEncoder().encodeToString(bytes);
    }

    private static byte[] decode(String s) {
        return s.equals("-") ? new byte[0] : Base64.getDecoder().decode(s);
    }

    /** Writes a history with a header of comment lines (the seed, the options it ran with). */
    static void write(Path file, List<String> header, List<ChaosOp> ops) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String h : header) lines.add("# " + h);
        for (ChaosOp op : ops) lines.add(op.line());
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, lines, StandardCharsets.US_ASCII);
    }

    static List<ChaosOp> read(Path file) throws IOException {
        List<ChaosOp> ops = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            if (!line.isBlank() && !line.startsWith("#")) ops.add(parse(line));
        }
        return ops;
    }

    /** The value of a {@code # key=value} header line, or null. */
    static String header(Path file, String key) throws IOException {
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            if (line.startsWith("# " + key + "=")) return line.substring(key.length() + 3);
        }
        return null;
    }
}
