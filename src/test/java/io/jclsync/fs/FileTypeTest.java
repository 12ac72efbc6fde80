package io.jclsync.fs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTypeTest {
    @TempDir
    Path tmp;

    /**
     * Found by the chaos checker (cluster seed 4): a path whose parent had become a file made lstat
     * fail with ENOTDIR, which the watcher took for a fatal error and stopped the daemon.
     */
    @Test
    void aPathBelowAFileIsGoneNotAnError() throws Exception {
        Files.writeString(tmp.resolve("was-a-dir"), "now a file");
        assertTrue(FileType.lstat(tmp.resolve("was-a-dir").resolve("child")).isEmpty());
    }
}
