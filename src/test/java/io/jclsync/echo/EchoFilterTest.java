package io.jclsync.echo;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.state.FileState;
import io.jclsync.fs.FileType;
import io.jclsync.fs.RelPath;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EchoFilterTest {
    private final EchoFilter echoes = new EchoFilter();

    private static FileState file(long mtime, byte hashByte) {
        byte[] hash = new byte[32];
        hash[0] = hashByte;
        return new FileState(FileType.FILE, 3, mtime, 0644, new byte[0], hash);
    }

    private static RelPath rel(String p) {
        return RelPath.of(p.getBytes());
    }

    @Test
    void theStateAPeerWroteIsAnEchoAsOftenAsItShowsUp() {
        echoes.expect(rel("a/f"), file(5, (byte) 1));
        assertTrue(echoes.isEcho(Path.of("a/f"), file(5, (byte) 1)));
        assertTrue(echoes.isEcho(Path.of("a/f"), file(5, (byte) 1)), "create, then attribute events: still the same write");
    }

    @Test
    void aLocalWriteOnTheSamePathIsNotAnEchoAndEndsTheExpectation() {
        echoes.expect(rel("f"), file(5, (byte) 1));
        assertFalse(echoes.isEcho(Path.of("f"), file(6, (byte) 2)), "different contents: a genuine local change");
        assertFalse(echoes.isEcho(Path.of("f"), file(5, (byte) 1)), "the expectation is gone once contradicted");
        assertFalse(echoes.isEcho(Path.of("other"), file(5, (byte) 1)));
    }

    @Test
    void aRemovedDirectoryCoversEverythingThatWasBelowIt() {
        echoes.expect(rel("dir"), null);
        assertTrue(echoes.isEcho(Path.of("dir"), null));
        assertTrue(echoes.isEcho(Path.of("dir/sub/file"), null));
        assertFalse(echoes.isEcho(Path.of("dir/new-file"), file(1, (byte) 0)), "recreated locally: announce it");
    }

    @Test
    void directoriesCompareByModeNotMtime() {
        FileState dir = new FileState(FileType.DIRECTORY, 0, 1, 0755, new byte[0], new byte[0]);
        echoes.expect(rel("d"), dir);
        assertTrue(echoes.isEcho(Path.of("d"),
                new FileState(FileType.DIRECTORY, 0, 99, 0755, new byte[0], new byte[0])));
        assertFalse(echoes.isEcho(Path.of("d"),
                new FileState(FileType.DIRECTORY, 0, 99, 0700, new byte[0], new byte[0])));
    }
}
