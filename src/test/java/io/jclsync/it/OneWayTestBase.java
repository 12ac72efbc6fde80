package io.jclsync.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** One jclsync process syncing {@code src} to {@code dst} in a temp dir, with a status file and a log, stopped after each test. */
abstract class OneWayTestBase {
    static final Duration CONVERGE = Duration.ofSeconds(30);

    @TempDir
    Path tmp;
    Path src;
    Path dst;
    Path status;
    Path log;
    JclsyncProcess jclsync;

    @BeforeEach
    void makeDirs() throws IOException {
        src = Files.createDirectories(tmp.resolve("src"));
        dst = Files.createDirectories(tmp.resolve("dst"));
        status = tmp.resolve("status");
        log = tmp.resolve("jclsync.log");
    }

    @AfterEach
    void stopJclsync() throws Exception {
        if (jclsync != null) jclsync.close();
    }
}
