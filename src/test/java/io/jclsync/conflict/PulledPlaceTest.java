package io.jclsync.conflict;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jclsync.fs.FileType;
import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import io.jclsync.state.VersionVector;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every branch of where a pulled file goes once the pull is done, without a file or a node. */
class PulledPlaceTest {
    private static final RelPath PATH = RelPath.of(Path.of("d/f.txt"));
    private static final VersionVector VERSION = VersionVector.of("n2", 2);

    private static FileState file(int content, long mtime) {
        byte[] hash = new byte[32];
        hash[0] = (byte) content;
        return new FileState(FileType.FILE, 1, mtime, 0644, new byte[0], hash);
    }

    private static RelPath place(FileState local, FileState before, FileState want) {
        return PulledPlace.of(PATH, local, before, want, "n2", VERSION);
    }

    @Test
    void aPathAsItWasWhenThePullWasDecidedTakesThePulledFile() {
        assertEquals(PATH, place(file(1, 5), file(1, 5), file(2, 6)));
        assertEquals(PATH, place(null, null, file(2, 6)), "nothing there then or now");
    }

    @Test
    void aPathThatAlreadyHoldsThePulledVersionTakesIt() {
        assertEquals(PATH, place(file(2, 6), file(1, 5), file(2, 6)));
    }

    @Test
    void aPathWrittenHereWhileThePullRanKeepsThatWriteAndThePulledFileGoesBesideIt() {
        RelPath copy = ConflictCopies.copyOf(PATH, new Candidate("n2", file(2, 6), VERSION, 0));
        assertEquals(copy, place(file(3, 7), file(1, 5), file(2, 6)));
        assertEquals(copy, place(file(3, 7), null, file(2, 6)), "made here meanwhile");
        assertEquals(copy, place(null, file(1, 5), file(2, 6)), "deleted here meanwhile");
    }
}
