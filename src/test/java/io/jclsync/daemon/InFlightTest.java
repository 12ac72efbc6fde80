package io.jclsync.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.batch.Batch;
import io.jclsync.batch.ChangeKind;
import io.jclsync.fs.FileType;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import java.util.Arrays;

class InFlightTest {
    private static Batch of(String... paths) {
        return new Batch(List.of(), Arrays.stream(paths)
                .map(p -> new Batch.Entry(Path.of(p), ChangeKind.MODIFY, FileType.FILE, 1)).toList(), false);
    }

    @Test
    void onlyBatchesThatShareNoPathRunTogether() throws Exception {
        InFlight f = new InFlight(3);
        assertTrue(f.acquire(of("www/a/index.html", "top.txt"), () -> false));
        assertTrue(f.mayRun(of("www/b/x")), "a sibling directory");
        assertTrue(f.mayRun(of("www/a-old/x", "top.txt.bak")), "a name that only starts the same");
        assertFalse(f.mayRun(of("top.txt")), "the same path: in the order it changed");
        assertFalse(f.mayRun(of("www/a")), "a directory above a running path");
        assertFalse(f.mayRun(of("www/a/index.html/deeper")), "a path below a running one");
        assertFalse(f.mayRun(Batch.fullSync()), "a full sync runs alone");
        Batch rename = new Batch(List.of(new Batch.Rename(Path.of("www/a/index.html"), Path.of("www/z"))), List.of(), false);
        assertFalse(f.mayRun(rename), "a rename of a running path");
        Batch into = new Batch(List.of(new Batch.Rename(Path.of("www/c"), Path.of("www"))), List.of(), false);
        assertFalse(f.mayRun(into), "a rename onto a directory above a running path");

        assertTrue(f.acquire(of("www/b/x"), () -> false));
        assertTrue(f.acquire(of("www/c/y"), () -> false));
        assertEquals(3, f.running());
        assertFalse(f.mayRun(of("elsewhere")), "at most 3 at once");
        assertFalse(f.acquire(of("elsewhere"), () -> true), "a stop while waiting gives up");
        f.release(of("www/b/x"));
        assertTrue(f.mayRun(of("elsewhere")));
        f.release(of("www/a/index.html", "top.txt"));
        assertTrue(f.mayRun(of("top.txt")));
        f.release(of("www/c/y"));
        assertTrue(f.mayRun(Batch.fullSync()));
        assertTrue(f.acquire(Batch.fullSync(), () -> false));
        assertFalse(f.mayRun(of("anything")), "nothing beside a full sync");
    }
}
