package io.jclsync.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/** Where list files are written ({@code -L}); each batch gets fresh names, removed after the run. */
public final class ListsDir {
    private final Path dir;
    private final String label;
    private final AtomicLong sequence = new AtomicLong();

    public ListsDir(Path dir, String label) {
        this.dir = dir;
        this.label = label;
    }

    public Path dir() {
        return dir;
    }

    /** A new file name for this batch, e.g. {@code jclsync-7.list}. */
    Path next(String suffix) {
        return dir.resolve(label + "-" + sequence.incrementAndGet() + suffix);
    }

    static void deleteQuietly(Path file) {
        if (file == null) return;
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A stale list file is harmless; the next batch uses a new name.
        }
    }
}
