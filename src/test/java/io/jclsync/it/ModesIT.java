package io.jclsync.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.fs.PathBytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import java.nio.file.attribute.PosixFilePermissions;

/** The modes other than rsyncdirect, driven by the handlers shipped in examples/. */
class ModesIT extends OneWayTestBase {
    private static final Path EXAMPLES = Path.of("examples").toAbsolutePath();

    private void start(Map<String, String> env, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("-W", src.toString(), "-t", "0.2", "--status-file", status.toString()));
        all.addAll(List.of(args));
        jclsync = JclsyncProcess.start(tmp.resolve("log"), List.of(), env, all.toArray(String[]::new));
        jclsync.awaitStatus(status, "running", CONVERGE);
    }

    /** Creates, changes, renames and deletes, with odd names, checking the target after each step. */
    private void exercise() throws Exception {
        Path odd = src.resolve(PathBytes.path("d\u00e9j\u00e0 vu\nnext".getBytes(StandardCharsets.ISO_8859_1)));
        for (int i = 0; i < 100; i++) {
            Files.writeString(Files.createDirectories(src.resolve("dir" + i % 10)).resolve("f" + i), "v" + i);
        }
        Files.createDirectories(odd);
        Files.writeString(odd.resolve("x y"), "odd");
        Trees.awaitEqual(src, dst, CONVERGE, jclsync);
        Files.move(src.resolve("dir3"), src.resolve("dir3-renamed"));
        Files.delete(src.resolve("dir4/f4"));
        Files.writeString(src.resolve("dir5/f5"), "changed");
        SyncIT.deleteTree(odd);
        Trees.awaitEqual(src, dst, CONVERGE, jclsync);
    }

    @Test
    void rsyncshellWithTheExampleHandler() throws Exception {
        Files.writeString(src.resolve("before"), "initial");
        start(Map.of(), "-M", "rsyncshell", "-S", EXAMPLES.resolve("rsyncshell-handler.sh").toString(),
                "-D", dst.toString());
        exercise();
    }

    @Test
    void directModeCopiesInJava() throws Exception {
        Files.writeString(src.resolve("before"), "initial");
        start(Map.of(), "-M", "direct", "-D", dst.toString());
        exercise();
    }

    @Test
    void shellModeCallsTheHandlerWithAbsolutePaths() throws Exception {
        Path handlerLog = tmp.resolve("handler.log");
        start(Map.of("SHELL_HANDLER_LOG", handlerLog.toString()), "-M", "shell", "-l", "web",
                "-S", EXAMPLES.resolve("shell-handler.sh").toString());
        Files.writeString(src.resolve("index.html"), "<p>");
        Files.writeString(src.resolve("gone.html"), "x");
        Files.delete(src.resolve("gone.html"));
        Files.writeString(src.resolve("old.css"), "x");
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (!(Files.exists(handlerLog) && Files.readString(handlerLog).contains("old.css"))) {
            if (System.nanoTime() > deadline) throw new AssertionError("handler not called; log:\n" + jclsync.log());
            Thread.sleep(50);
        }
        Files.delete(src.resolve("old.css"));
        while (!Files.readString(handlerLog).contains("deleted " + src.resolve("old.css"))) {
            if (System.nanoTime() > deadline) throw new AssertionError(Files.readString(handlerLog));
            Thread.sleep(50);
        }
        List<String> lines = Files.readAllLines(handlerLog);
        assertEquals("web initialsync " + src, lines.get(0));
        assertTrue(lines.contains("web changed " + src.resolve("index.html")), lines.toString());
        assertTrue(lines.stream().noneMatch(l -> l.contains("gone.html")), "created and deleted in one window: " + lines);
    }

    @Test
    void modificationSignatureSkipsChangesOutsideItsFields() throws Exception {
        Files.writeString(src.resolve("a"), "a");
        start(Map.of(), "-D", dst.toString(), "--modification-signature", "size,mtime");
        Files.writeString(src.resolve("a"), "a2"); // synced once: its signature is remembered
        Trees.awaitContent(dst.resolve("a"), "a2", CONVERGE, jclsync);
        Files.setPosixFilePermissions(src.resolve("a"), PosixFilePermissions.fromString("rw-------"));
        Files.writeString(src.resolve("b"), "b");
        Trees.awaitContent(dst.resolve("b"), "b", CONVERGE, jclsync);
        org.junit.jupiter.api.Assertions.assertNotEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dst.resolve("a"))), "a chmod alone is not a modification (mode not listed)");
        Files.writeString(src.resolve("a"), "a3, longer");
        Trees.awaitContent(dst.resolve("a"), "a3, longer", CONVERGE, jclsync);
    }

    /** Waits until the handler's log has a line starting with {@code prefix}. */
    private List<String> awaitLine(Path log, String prefix) throws Exception {
        return Trees.awaitText(log, t -> t.lines().anyMatch(l -> l.startsWith(prefix)), CONVERGE,
                "a log with a line '" + prefix + "'", jclsync).lines().toList();
    }

    /**
     * -p safe: a batch that shares no path with a running one is synced beside it; one that
     * touches a running path waits for it. The handler holds a path named slow-NAME until the test
     * releases it (a file NAME in $HANDLER_RELEASE; at most 60 s), so a batch runs exactly as long
     * as the test needs, not a fixed 2 s that another batch had to fit in on a loaded machine.
     */
    @Test
    void threadingSafeSyncsIndependentBatchesInParallelAndOnePathInOrder() throws Exception {
        Path log = tmp.resolve("handler.log");
        Path release = Files.createDirectories(tmp.resolve("release"));
        Path handler = tmp.resolve("handler.sh");
        Files.writeString(handler, """
                #!/bin/sh
                [ "$1" = sync ] || exit 0
                shift 2
                for p in "$@"; do echo "start $(basename "$p")" >> "$HANDLER_LOG"; done
                for p in "$@"; do
                    case "$(basename "$p")" in slow-*)
                        i=0
                        while [ ! -e "$HANDLER_RELEASE/$(basename "$p")" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done ;;
                    esac
                done
                for p in "$@"; do echo "end $(basename "$p")" >> "$HANDLER_LOG"; done
                """);
        Files.setPosixFilePermissions(handler, PosixFilePermissions.fromString("rwx------"));
        start(Map.of("HANDLER_LOG", log.toString(), "HANDLER_RELEASE", release.toString()),
                "-M", "shell", "-S", handler.toString(), "-p", "safe", "-v");

        Files.writeString(src.resolve("slow-a"), "1");
        awaitLine(log, "start slow-a");
        Files.writeString(src.resolve("fast-b"), "1");
        // slow-a's batch runs until released below: fast-b's ends only if it runs beside it.
        List<String> lines = awaitLine(log, "end fast-b");
        assertTrue(!lines.contains("end slow-a"), "fast-b was synced while slow-a's batch ran: " + lines);
        Files.createFile(release.resolve("slow-a"));
        awaitLine(log, "end slow-a");

        Files.writeString(src.resolve("slow-c"), "1");
        awaitLine(log, "start slow-c");
        Files.writeString(src.resolve("slow-c"), "2");
        // The second change's batch falls due while the first runs (held until released), and must wait for it.
        jclsync.awaitLog("waits for a running batch", CONVERGE);
        Files.createFile(release.resolve("slow-c"));
        lines = Trees.awaitText(log, t -> t.lines().filter(l -> l.equals("end slow-c")).count() >= 2, CONVERGE,
                "a log where slow-c's two batches ended", jclsync).lines().toList();
        assertEquals(List.of("start slow-c", "end slow-c", "start slow-c", "end slow-c"),
                lines.stream().filter(l -> l.endsWith(" slow-c")).toList(), "slow-c's second batch waited for its first");
    }
}
