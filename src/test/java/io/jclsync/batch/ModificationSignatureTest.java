package io.jclsync.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jclsync.fs.FileType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.util.ArrayList;

class ModificationSignatureTest {
    private static Batch batchOf(Path root, String... names) throws Exception {
        List<Batch.Entry> entries = new ArrayList<>();
        for (String n : names) {
            Path p = root.resolve(n);
            FileType type = Files.isDirectory(p) ? FileType.DIRECTORY : Files.exists(p) ? FileType.FILE : null;
            entries.add(new Batch.Entry(Path.of(n), ChangeKind.MODIFY, type, type == FileType.FILE ? Files.size(p) : 0));
        }
        return new Batch(List.of(), entries, false);
    }

    private static List<Path> paths(Batch b) {
        return b.entries().stream().map(Batch.Entry::path).toList();
    }

    @Test
    void onlyFilesWhoseListedFieldsChangedAreSyncedAgain(@TempDir Path root) throws Exception {
        ModificationSignature sig = new ModificationSignature(root, ModificationSignature.parse("size, mtime"));
        Files.writeString(root.resolve("a"), "aaa");
        Files.writeString(root.resolve("b"), "bbb");
        Files.createDirectories(root.resolve("d"));
        Batch first = batchOf(root, "a", "b", "d");
        assertEquals(List.of(Path.of("a"), Path.of("b"), Path.of("d")), paths(sig.changedOnly(first)), "never synced: all pass");
        sig.synced(first);

        Files.setPosixFilePermissions(root.resolve("a"), PosixFilePermissions.fromString("rw-------")); // mode: not listed
        Files.setLastModifiedTime(root.resolve("b"), FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        Files.delete(root.resolve("d"));
        assertEquals(List.of(Path.of("b"), Path.of("d")), paths(sig.changedOnly(batchOf(root, "a", "b", "d"))),
                "a chmod is not a change here; a new mtime is; a delete always passes");

        ModificationSignature all = new ModificationSignature(root, ModificationSignature.parse("*"));
        assertEquals(EnumSet.allOf(ModificationSignature.Field.class), ModificationSignature.parse("*"));
        all.synced(batchOf(root, "a"));
        Files.setPosixFilePermissions(root.resolve("a"), PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(List.of(Path.of("a")), paths(all.changedOnly(batchOf(root, "a"))), "with * a chmod counts");
        assertThrows(IllegalArgumentException.class, () -> ModificationSignature.parse("size,colour"));
    }
}
