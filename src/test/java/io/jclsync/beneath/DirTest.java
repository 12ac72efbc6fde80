package io.jclsync.beneath;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.fs.FileType;
import io.jclsync.fs.PathBytes;
import io.jclsync.fs.RelPath;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.jclsync.fs.ContentHash;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.time.Instant;

/** Real directories and real links: nothing a {@link Dir} writes may land outside its tree. */
class DirTest {
    @TempDir
    Path tmp;
    Path root;
    Path outside;

    @BeforeEach
    void trees() throws Exception {
        root = Files.createDirectory(tmp.resolve("root"));
        outside = Files.createDirectory(tmp.resolve("outside"));
        Files.writeString(outside.resolve("canary"), "keep me");
        Files.setPosixFilePermissions(outside.resolve("canary"), PosixFilePermissions.fromString("rw-r-----"));
        Files.createDirectories(root.resolve("a/b"));
        Files.createSymbolicLink(root.resolve("link"), outside);
        Files.createSymbolicLink(root.resolve("a/up"), Path.of("../.."));
    }

    @AfterEach
    void back() {
        Dir.useOpenat2(true);
    }

    private static RelPath rel(String s) {
        return RelPath.of(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void assertOutsideUntouched() throws Exception {
        try (var entries = Files.list(outside)) {
            assertEquals(List.of(outside.resolve("canary")), entries.toList());
        }
        assertEquals("keep me", Files.readString(outside.resolve("canary")));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(outside.resolve("canary"))));
    }

    @ParameterizedTest(name = "openat2 {0}")
    @ValueSource(booleans = {true, false})
    void aLinkOnTheWayIsNeverFollowed(boolean openat2) throws Exception {
        Dir.useOpenat2(openat2);
        try (Dir top = Dir.root(root)) {
            assertThrows(NotBeneathException.class, () -> top.dir(rel("link")));
            assertThrows(NotBeneathException.class, () -> top.parentOf(rel("link/x")));
            assertThrows(NotBeneathException.class, () -> top.parentOf(rel("a/up/outside/x")));
            assertThrows(NotBeneathException.class, () -> top.makeParents(rel("link/new/x"), 0700, (p, parent, name) -> { }));
            assertThrows(NoSuchFileException.class, () -> top.dir(rel("a/missing")));
            try (Dir b = top.parentOf(rel("a/b/file"))) {
                b.mkdir(b("made"), 0755);
            }
            // A link as the last name is changed itself, never what it points at.
            try (Dir a = top.dir(rel("a"))) {
                String before = PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp));
                a.chmod(b("up"), 0777); // a link's own mode means nothing: left alone
                assertEquals(before, PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp)));
                top.setMtime(b("link"), 1_000_000_123L);
                assertEquals(FileType.SYMLINK, top.stat(b("link")).type());
                assertEquals(1_000_000_123L, top.stat(b("link")).mtimeNanos());
            }
        }
        assertTrue(Files.isDirectory(root.resolve("a/b/made")));
        assertOutsideUntouched();
    }

    @Test
    void parentsAreMadeOneByOneAndReported() throws Exception {
        List<String> made = new ArrayList<>();
        try (Dir top = Dir.root(root); Dir d = top.makeParents(rel("a/x/y/z/file"), 0750, (p, parent, name) -> made.add(p.toString()))) {
            d.symlink(b("/etc/passwd"), b("file"));
        }
        assertEquals(List.of("a/x", "a/x/y", "a/x/y/z"), made);
        assertEquals(Path.of("/etc/passwd"), Files.readSymbolicLink(root.resolve("a/x/y/z/file")));
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("a/x"))));
    }

    @Test
    void aHandleStaysOnItsDirectoryWhenALinkIsSwappedInAboveIt() throws Exception {
        try (Dir top = Dir.root(root); Dir b = top.dir(rel("a/b"))) {
            // A local user moves a/ away and puts a link to outside/ in its place.
            Files.move(root.resolve("a"), root.resolve("moved"));
            Files.createDirectories(outside.resolve("b"));
            Files.createSymbolicLink(root.resolve("a"), outside);
            try (OpenFile f = b.createFile(b("new"), 0600)) {
                try (var out = f.write()) {
                    out.write(b("payload"));
                }
                f.chmod(0644);
                f.setMtime(5_000_000_007L);
            }
            assertThrows(NotBeneathException.class, () -> top.dir(rel("a/b")));
        }
        assertEquals("payload", Files.readString(root.resolve("moved/b/new")));
        assertEquals(FileTime.from(Instant.ofEpochSecond(5, 7)), Files.getLastModifiedTime(root.resolve("moved/b/new")));
        try (var entries = Files.list(outside.resolve("b"))) {
            assertEquals(0, entries.count());
        }
    }

    @Test
    void deleteTreeRemovesLinksNotWhatTheyPointAt() throws Exception {
        Files.createDirectories(root.resolve("a/b/c"));
        Files.writeString(root.resolve("a/b/c/f"), "x");
        Files.createSymbolicLink(root.resolve("a/b/out"), outside);
        byte[] odd = {'n', (byte) 0xff, '\n', 'x'};
        Files.writeString(PathBytes.child(root.resolve("a/b"), odd), "odd");
        try (Dir top = Dir.root(root)) {
            top.deleteTree(b("a"));
            assertNull(top.stat(b("a")));
            top.deleteTree(b("a")); // gone already: nothing to do
        }
        assertFalse(Files.exists(root.resolve("a"), LinkOption.NOFOLLOW_LINKS));
        assertOutsideUntouched();
    }

    @Test
    void renamesMoveByNameBetweenHandles() throws Exception {
        Files.writeString(root.resolve("a/f"), "content");
        byte[] odd = {'r', (byte) 0xe9};
        try (Dir top = Dir.root(root); Dir a = top.dir(rel("a")); Dir b = top.dir(rel("a/b"))) {
            a.rename(b("f"), b, odd);
            Stat st = b.stat(odd);
            assertEquals(FileType.FILE, st.type());
            assertEquals(7, st.size());
            try (OpenFile f = b.openFile(odd)) {
                assertArrayEquals(ContentHash.sha256(PathBytes.child(root.resolve("a/b"), odd)), f.sha256());
            }
            assertThrows(IOException.class, () -> a.openFile(b("up"))); // a link is not opened
            assertThrows(IOException.class, () -> top.openFile(b("a"))); // nor a directory
            assertEquals(List.of("b", "up"), a.list().stream().map(n -> new String(n, StandardCharsets.UTF_8)).sorted().toList());
        }
    }

    @Test
    void noReplaceRenamesAndHardLinksNeverClobber() throws Exception {
        Files.writeString(root.resolve("a/f"), "f");
        Files.writeString(root.resolve("a/g"), "g");
        try (Dir top = Dir.root(root); Dir a = top.dir(rel("a"))) {
            assertThrows(FileAlreadyExistsException.class, () -> a.renameNoReplace(b("f"), a, b("g")));
            a.link(b("up"), a, b("up2")); // the link itself, not the directory it points at
            a.renameNoReplace(b("f"), a, b("h"));
            a.chmod(b("h"), 0604);
        }
        assertEquals("g", Files.readString(root.resolve("a/g")));
        assertEquals("f", Files.readString(root.resolve("a/h")));
        assertEquals("rw----r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("a/h"))));
        assertEquals(Path.of("../.."), Files.readSymbolicLink(root.resolve("a/up2")));
    }
}
