package io.jclsync.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.echo.EchoFilter;
import io.jclsync.fs.RelPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalTreeTest {
    @TempDir
    Path tmp;
    Path root;
    LocalTree tree;
    final List<String> warnings = new ArrayList<>();
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            warnings.add(r.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void makeTree() throws IOException {
        root = Files.createDirectories(tmp.resolve("tree"));
        tree = new LocalTree(root, new EchoFilter());
        Logger.getLogger(LocalTree.class.getName()).addHandler(capture);
    }

    @AfterEach
    void stopCapture() {
        Logger.getLogger(LocalTree.class.getName()).removeHandler(capture);
    }

    private static RelPath rel(String p) {
        return RelPath.of(p.getBytes());
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void aPeersChangeInTheWorkingDirIsRefusedAndLogged() throws IOException {
        assertTrue(tree.insideTree(rel("a/b/c")));
        assertTrue(tree.insideTree(rel("a/.jclsync/x")), "only the top-level working dir is the node's");
        for (String p : List.of(".jclsync", ".jclsync/incoming/1.list", ".jclsync/incoming/3/f")) {
            assertFalse(tree.insideTree(rel(p)), p);
        }
        assertEquals(3, warnings.stream().filter(w -> w.contains("private working dir")).count(), warnings.toString());
        Files.createSymbolicLink(root.resolve("out"), tmp);
        assertFalse(tree.insideTree(rel("out/f")), "through a symlinked parent");
    }

    @Test
    void stagingIsPrivate() throws IOException {
        Path staging = tree.staging();
        assertEquals(root.resolve(".jclsync/incoming"), staging);
        assertEquals("rwx------", mode(root.resolve(".jclsync")));
        assertEquals("rwx------", mode(staging));
    }

    @Test
    void aSymlinkedWorkingDirIsRefusedAndLogged() throws IOException {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(root.resolve(".jclsync"), elsewhere);
        assertThrows(IOException.class, tree::staging);
        assertThrows(IOException.class, () -> LocalTree.prepareStaging(root));
        assertTrue(warnings.stream().anyMatch(w -> w.contains("symbolic link")), warnings.toString());
        try (var s = Files.list(elsewhere)) {
            assertEquals(0, s.count(), "nothing was made where the link leads");
        }
        Files.delete(root.resolve(".jclsync"));
        Files.createDirectories(root.resolve(".jclsync"));
        Files.createSymbolicLink(root.resolve(".jclsync/incoming"), elsewhere);
        assertThrows(IOException.class, tree::staging);
    }

    @Test
    void atStartLeftoversGoAndTheModesAreTightened() throws IOException {
        Path incoming = Files.createDirectories(root.resolve(".jclsync/incoming/7"));
        Files.writeString(incoming.resolve("half"), "half pulled");
        Files.setPosixFilePermissions(root.resolve(".jclsync"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path staging = LocalTree.prepareStaging(root);
        try (var s = Files.list(staging)) {
            assertEquals(0, s.count());
        }
        assertEquals("rwx------", mode(root.resolve(".jclsync")));
        assertEquals("rwx------", mode(staging));
    }
}
