package io.jclsync.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jclsync.fs.PathBytes;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListFileTest {
    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void pathsAreRawBytesEachEndedByNul(@TempDir Path dir) throws Exception {
        byte[] odd = {'d', '/', 'a', ' ', 'b', '\n', (byte) 0xe9};
        Path list = dir.resolve("list");
        ListFile.writePaths(list, List.of(Path.of("plain"), PathBytes.path(odd)));
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(ascii("plain\0"));
        expected.writeBytes(odd);
        expected.write(0);
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(list));
    }

    @Test
    void patternsMatchNamesLiterally() {
        assertArrayEquals(ascii("/a/b"), ListFile.pattern(ascii("a/b"), ""));
        assertArrayEquals(ascii("/x\\*\\?\\[y]"), ListFile.pattern(ascii("x*?[y]"), ""));
        assertArrayEquals(ascii("/back[\\\\]slash/***"), ListFile.pattern(ascii("back\\slash"), "/***"));
    }

    @Test
    void includesSelectParentsOnceThenEachPathAndItsContents(@TempDir Path dir) throws Exception {
        Path list = dir.resolve("inc");
        ListFile.writeIncludes(list, List.of(Path.of("a/b/x"), Path.of("a/y")));
        String text = Files.readString(list, StandardCharsets.ISO_8859_1);
        assertEquals("/a/b/\0/a/\0/a/b/x\0/a/b/x/***\0/a/y\0/a/y/***\0", text);
    }
}
