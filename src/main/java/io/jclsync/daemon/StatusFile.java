package io.jclsync.daemon;

import java.io.IOException;
import java.nio.file.Path;
import java.util.logging.Logger;
import io.jclsync.fs.FileTrees;
import java.util.Locale;

/**
 * The {@code --status-file}: one word, replaced atomically (write a temporary file, rename it
 * over), so a reader never sees an empty or half-written file.
 */
final class StatusFile {
    private static final Logger LOG = Logger.getLogger(StatusFile.class.getName());

    enum State {
        STARTING, INITSYNC, RUNNING, SYNCHRONIZING, STOPPING;

        String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Path file;
    private State current;

    StatusFile(Path file) {
        this.file = file;
    }

    /** The current state word ("starting" before the first). */
    synchronized String word() {
        return current == null ? State.STARTING.word() : current.word();
    }

    synchronized void set(State state) {
        if (state == current) return;
        current = state;
        if (file == null) return;
        writeAtomically(file, state.word() + "\n");
    }

    static void writeAtomically(Path file, String content) {
        try {
            FileTrees.writeAtomically(file, content);
        } catch (IOException e) {
            LOG.warning("cannot write " + file + ": " + e + " (check the directory exists and is writable)");
        }
    }
}
