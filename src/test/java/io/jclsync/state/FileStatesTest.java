package io.jclsync.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.fs.ContentHash;
import io.jclsync.fs.FileType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStatesTest {
    @Test
    void aKnownHashIsReusedOnlyWhileSizeMtimeAndInodeAreUnchanged(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("f");
        Files.writeString(f, "aaaa");
        FileTime t = FileTime.from(Instant.parse("2026-01-02T03:04:05.123456789Z"));
        Files.setLastModifiedTime(f, t);
        FileState first = FileStates.of(f);
        assertEquals(FileType.FILE, first.type());
        assertArrayEquals(ContentHash.sha256(f), first.sha256());
        assertTrue(first.inode() != 0);

        byte[] marker = new byte[32];
        marker[0] = 42;
        FileState known = new FileState(FileType.FILE, 4, first.mtimeNanos(), first.mode(), new byte[0], marker, first.inode());
        assertArrayEquals(marker, FileStates.of(f, known).sha256(), "unchanged: the known hash is reused, not recomputed");

        // Another file with the same size and mtime takes its place (a restore, an rsync of another version).
        Path other = dir.resolve("other");
        Files.writeString(other, "bbbb");
        Files.setLastModifiedTime(other, t);
        Files.move(other, f, StandardCopyOption.REPLACE_EXISTING);
        FileState replaced = FileStates.of(f, known);
        assertArrayEquals(ContentHash.sha256(f), replaced.sha256(), "a new inode: hashed again");
        assertFalse(FileStates.same(first, replaced), "and seen as a change");
        assertTrue(FileStates.same(first, first.withInode(99)), "the inode alone never makes states differ");
        assertNull(FileStates.of(dir.resolve("missing")));
    }

    /**
     * Found by the chaos checker (cluster seed 16): a directory replaced by a file while a batch
     * naming a path below it waited. Reading that path's state failed with ENOTDIR, every retry of
     * the announcement failed the same way, and the node stopped. The path is simply gone.
     */
    @Test
    void aPathBelowWhatIsNowAFileIsGone(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("was-a-dir"), "a file now\n");
        assertNull(FileStates.of(dir.resolve("was-a-dir/.hidden42")));
        assertNull(FileStates.of(dir.resolve("missing/f")));
    }

    @Test
    void sameContentIgnoresOnlyTheMtime() {
        byte[] hash = new byte[32];
        FileState f = new FileState(FileType.FILE, 4, 100, 0644, new byte[0], hash);
        assertTrue(FileStates.sameContent(f, new FileState(FileType.FILE, 4, 200, 0644, new byte[0], hash)));
        assertFalse(FileStates.same(f, new FileState(FileType.FILE, 4, 200, 0644, new byte[0], hash)));
        assertFalse(FileStates.sameContent(f, new FileState(FileType.FILE, 4, 100, 0600, new byte[0], hash)), "mode");
        assertFalse(FileStates.sameContent(f, new FileState(FileType.FILE, 5, 100, 0644, new byte[0], hash)), "size");
        hash[0] = 1;
        assertFalse(FileStates.sameContent(f, new FileState(FileType.FILE, 4, 100, 0644, new byte[0], hash)), "bytes");
        assertFalse(FileStates.sameContent(f, null));
        assertTrue(FileStates.sameContent(null, null));
        FileState link = new FileState(FileType.SYMLINK, 0, 1, 0777, "t".getBytes(), new byte[0]);
        assertTrue(FileStates.sameContent(link, new FileState(FileType.SYMLINK, 0, 9, 0777, "t".getBytes(), new byte[0])));
    }
}
