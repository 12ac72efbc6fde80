package io.jclsync.conflict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.fs.FileType;
import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import io.jclsync.state.VersionVector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every branch of a directory here that became a file or a link at the origin, without a file or a node. */
class TypeChangeTest {
    private static final RelPath PATH = RelPath.of(Path.of("d"));
    private static final FileState DIR = new FileState(FileType.DIRECTORY, 0, 1, 0755, new byte[0], new byte[0]);
    private static final FileState FILE = new FileState(FileType.FILE, 1, 5, 0644, new byte[0], new byte[32]);
    private static final FileState LINK = new FileState(FileType.SYMLINK, 0, 5, 0777,
            "t".getBytes(StandardCharsets.UTF_8), new byte[0]);

    @Test
    void onlyADirectoryHereReplacedByAnotherTypeIsATypeChange() {
        assertTrue(TypeChange.replacesDirectory(DIR, FILE));
        assertTrue(TypeChange.replacesDirectory(DIR, LINK));
        assertFalse(TypeChange.replacesDirectory(DIR, DIR));
        assertFalse(TypeChange.replacesDirectory(FILE, LINK));
        assertFalse(TypeChange.replacesDirectory(null, FILE));
    }

    @Test
    void aDirectoryTheDeleteEmptiedIsReplaced() {
        assertEquals(new TypeChange.Replace(), TypeChange.of(PATH, FILE, VersionVector.of("n2", 3), "n2", null));
    }

    @Test
    void aDirectoryWithEntriesLeftStaysAndTheNewEntryIsKeptBesideItAsTheWritersNewFile() {
        VersionVector version = VersionVector.of("n2", 3);
        TypeChange change = TypeChange.of(PATH, LINK, version, "n2", DIR);
        assertEquals(new TypeChange.KeepBoth(ConflictCopies.copyOf(PATH, new Candidate("n2", LINK, version, 0)),
                VersionVector.of("n2", 1)), change);
        assertTrue(((TypeChange.KeepBoth) change).aside().toString().contains("sync-conflict"));
    }
}
