package io.jclsync.sync;

import io.jclsync.transfer.Outcome;
import io.jclsync.transfer.TransferResult;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.batch.Batch;
import io.jclsync.batch.ChangeKind;
import io.jclsync.filter.Filter;
import io.jclsync.fs.FileType;
import io.jclsync.fs.PathBytes;
import io.jclsync.fs.TreeComparison;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the real rsync on real files. */
class RsyncTransferTest {
    @TempDir
    Path tmp;
    Path src;
    Path dst;
    Path lists;

    /** Names rsync patterns and list files must carry unchanged. */
    private static final List<Path> ODD = List.of(
            Path.of("with space"), Path.of("new\nline"), Path.of("star*q?[x]"), Path.of("back\\slash"),
            PathBytes.path(new byte[] {'l', 'a', 't', 'i', 'n', (byte) 0xe9}));

    @BeforeEach
    void dirs() throws Exception {
        src = Files.createDirectories(tmp.resolve("src"));
        dst = Files.createDirectories(tmp.resolve("dst"));
        lists = Files.createDirectories(tmp.resolve("lists"));
    }

    private RsyncTransfer transfer(Destination d) {
        return new RsyncTransfer(src, d, "rsync", () -> Filter.ACCEPT_ALL, new ListsDir(lists, "t"),
                Duration.ofSeconds(30), new ExitCodePolicy(ExitCodePolicy.DEFAULT_IGNORED));
    }

    private static Batch.Entry entry(Path root, Path rel) {
        Path abs = root.resolve(rel);
        if (!Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) return new Batch.Entry(rel, ChangeKind.DELETE, null, 0);
        return new Batch.Entry(rel, ChangeKind.MODIFY, Files.isDirectory(abs) ? FileType.DIRECTORY : FileType.FILE, 0);
    }

    /** Fills the source, syncs it whole, changes it, syncs the changed paths and compares. */
    private void roundTrip(Destination d) throws Exception {
        for (Path odd : ODD) {
            Files.createDirectories(src.resolve("keep").resolve(odd));
            Files.writeString(src.resolve(odd), "old");
            Files.createDirectories(src.resolve("gone"));
            Files.writeString(src.resolve("gone").resolve(odd), "x");
        }
        assertEquals(Outcome.OK, transfer(d).run(Batch.fullSync()).outcome());
        assertEquals(List.of(), TreeComparison.differences(src, dst, 10));
        List<Batch.Entry> entries = new ArrayList<>();
        for (Path odd : ODD) {
            Files.delete(src.resolve(odd));
            entries.add(entry(src, odd));
            Files.writeString(src.resolve("keep").resolve(odd).resolve("new file"), "fresh");
            entries.add(entry(src, Path.of("keep").resolve(odd)));
        }
        entries.add(entry(src, Path.of("never-existed")));
        entries.sort((a, b) -> a.path().compareTo(b.path()));
        TransferResult r = transfer(d).run(new Batch(List.of(), entries, false));
        assertEquals(Outcome.OK, r.outcome(), r.detail());
        assertEquals(List.of(), TreeComparison.differences(src, dst, 10));
        for (Path odd : ODD) assertFalse(Files.exists(dst.resolve(odd), LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.exists(dst.resolve("gone").resolve(ODD.get(0))), "untouched paths stay");
    }

    @Test
    void localDestinationDeletesAndCopiesExactlyTheListedPaths() throws Exception {
        roundTrip(Destination.parse(dst.toString()));
    }

    @Test
    void remoteStyleDestinationDeletesThroughRsyncIncludeRules() throws Exception {
        // A Destination without a local dir takes the path used for host:/path remotes.
        roundTrip(new Destination(dst.toString(), null));
    }

    @Test
    void aMissingDestinationIsReportedNotCreatedSilently() throws Exception {
        Files.writeString(src.resolve("f"), "x");
        TransferResult r = transfer(new Destination(tmp.resolve("no/such/dir").toString(), null))
                .run(new Batch(List.of(), List.of(entry(src, Path.of("f"))), false));
        assertFalse(r.outcome() == Outcome.OK);
        assertTrue(r.exitCode() != 0);
    }

    /**
     * Issue 11: a path listed as present that is gone when rsync starts (moved again meanwhile) made
     * rsync exit 23 on every retry, and the daemon stopped. It is news for a later batch, not an error.
     */
    @Test
    void aListedPathThatVanishedIsNotAFailure() throws Exception {
        Files.createDirectories(src.resolve("f/n/t/u"));
        Files.writeString(src.resolve("f/n/t/u/x"), "x");
        Files.writeString(src.resolve("here"), "here");
        Batch stale = new Batch(List.of(), List.of(
                new Batch.Entry(Path.of("f/u"), ChangeKind.CREATE, FileType.DIRECTORY, 0),
                new Batch.Entry(Path.of("here"), ChangeKind.CREATE, FileType.FILE, 4)), false);
        TransferResult r = transfer(Destination.parse(dst.toString())).run(stale);
        assertEquals(Outcome.OK, r.outcome(), r.detail());
        assertEquals("here", Files.readString(dst.resolve("here")));
    }

    /**
     * With no rule that can reject anything, the exclusion walk (a second walk of the whole tree at
     * start) is left out; rsync's exit 23 (as for a directory it cannot open) brings it back, once.
     * With something to exclude, the walk comes first and exit 23 is the result.
     */
    @Test
    void theExclusionWalkWaitsForRsyncToFindSomethingUnreadable() throws Exception {
        Files.writeString(src.resolve("a"), "a");
        Files.writeString(src.resolve("b"), "b");
        Path calls = tmp.resolve("calls");
        Path fake = tmp.resolve("fake-rsync");
        // Logs each call's exclude list, then exits 23 the first time it is run and 0 after.
        Files.writeString(fake, "#!/bin/sh\nfor a; do case $a in --exclude-from=*) tr '\\0' '\\n' <\"${a#*=}\" >>"
                + calls + "; echo CALL >>" + calls + ";; esac; done\n[ -e " + tmp.resolve("once") + " ] && exit 0\ntouch "
                + tmp.resolve("once") + "\nexit 23\n");
        assertTrue(fake.toFile().setExecutable(true));
        ExitCodePolicy policy = new ExitCodePolicy(ExitCodePolicy.DEFAULT_IGNORED);
        RsyncTransfer acceptAll = new RsyncTransfer(src, Destination.parse(dst.toString()), fake.toString(),
                () -> Filter.ACCEPT_ALL, new ListsDir(lists, "t"), Duration.ofSeconds(30), policy);
        TransferResult r = acceptAll.run(Batch.fullSync());
        assertEquals(Outcome.OK, r.outcome(), r.detail());
        assertEquals(List.of("CALL", "CALL"), Files.readAllLines(calls), "run without the walk, then with it");

        Files.delete(calls);
        Files.delete(tmp.resolve("once"));
        Filter withoutB = Filter.ACCEPT_ALL.withAlwaysExcluded(Path.of("b"));
        RsyncTransfer excluding = new RsyncTransfer(src, Destination.parse(dst.toString()), fake.toString(),
                () -> withoutB, new ListsDir(lists, "t"), Duration.ofSeconds(30), policy);
        r = excluding.run(Batch.fullSync());
        assertEquals(23, r.exitCode(), r.detail());
        List<String> logged = Files.readAllLines(calls);
        assertEquals("CALL", logged.get(logged.size() - 1));
        assertEquals(1, logged.stream().filter("CALL"::equals).count(), "one run, the walk first: " + logged);
        assertTrue(logged.stream().anyMatch(l -> l.contains("b")), "b is excluded: " + logged);
    }
}
