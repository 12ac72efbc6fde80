package io.jclsync.cluster.tls;

import io.jclsync.fs.FileTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The transfer key each node name was first seen with (trust on first use), kept in a file of the
 * state dir (mode 0600, one {@code NAME HEX} line per node) across restarts. A name that comes back
 * with another key is refused until the operator deletes its line. The file is read at each check
 * (hellos are rare), so a deleted line counts at once, without a restart.
 */
public final class PinStore {
    /** The file, in the state dir. */
    public static final String FILE = "transfer-pins";

    /** What {@link #check} found. */
    public enum Verdict {
        /** The name was new: its key is pinned now. */
        PINNED,
        /** The key is the one pinned for the name. */
        SAME,
        /** The name is pinned to another key: refuse it. */
        CHANGED
    }

    private final Path file;

    private PinStore(Path file) {
        this.file = file;
    }

    /** The pins in {@code file} (none yet: no pins), read once to check it. The caller checks who owns it and who may read it. */
    public static PinStore open(Path file) throws IOException {
        PinStore store = new PinStore(file);
        store.read();
        return store;
    }

    private Map<String, Fingerprint> read() throws IOException {
        Map<String, Fingerprint> pins = new TreeMap<>();
        if (!Files.exists(file)) return pins;
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) continue;
            String[] f = l.split("\\s+");
            try {
                if (f.length != 2) throw new IllegalArgumentException("expected NAME HEX");
                pins.put(f[0], new Fingerprint(f[1]));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " line " + n + " is not 'NODE SHA256-HEX' (" + e.getMessage()
                        + "): fix or delete that line", e);
            }
        }
        return pins;
    }

    /** Compares {@code key} with the one pinned for {@code node}, and pins it if there is none. */
    public synchronized Verdict check(String node, Fingerprint key) throws IOException {
        Map<String, Fingerprint> pins = read();
        Fingerprint pinned = pins.get(node);
        if (pinned != null) return pinned.equals(key) ? Verdict.SAME : Verdict.CHANGED;
        pins.put(node, key);
        StringBuilder text = new StringBuilder("# Transfer keys of the nodes met so far (trust on first use), written by jclsync.\n"
                + "# A node whose key changed (new state dir, new machine) is refused until its line is deleted.\n");
        pins.forEach((name, k) -> text.append(name).append(' ').append(k.hex()).append('\n'));
        FileTrees.writePrivately(file, text.toString());
        return Verdict.PINNED;
    }

    /** The key pinned for {@code node}, or null. */
    public synchronized Fingerprint pinned(String node) throws IOException {
        return read().get(node);
    }
}
