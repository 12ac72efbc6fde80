package io.jclsync.versions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.fs.PathBytes;
import io.jclsync.fs.RelPath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Random;

class VersionStoreTest {
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    @TempDir
    Path tmp;
    Path tree;
    Path storeDir;
    final FakeClock clock = new FakeClock(T0);

    /** A clock the test moves by hand. */
    static final class FakeClock extends Clock {
        private Instant now;

        FakeClock(Instant now) {
            this.now = now;
        }

        void set(Instant t) {
            now = t;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    @BeforeEach
    void dirs() throws IOException {
        tree = Files.createDirectories(tmp.resolve("tree"));
        storeDir = tmp.resolve("state/versions");
    }

    private VersionStore store(String policy) throws IOException {
        return VersionStore.open(storeDir, VersioningPolicy.parse(policy), clock);
    }

    private static RelPath rel(String s) {
        return RelPath.of(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code content} at {@code rel} in the tree and keeps it, as a change replacing it would. */
    private void writeAndKeep(VersionStore store, RelPath rel, String content) throws IOException {
        Path p = tree.resolve(rel.toPath());
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        store.keep(p, rel);
        assertFalse(Files.exists(p, LinkOption.NOFOLLOW_LINKS), "kept means moved out of the tree");
    }

    private static List<String> contents(List<Version> versions) throws IOException {
        List<String> out = new ArrayList<>();
        for (Version v : versions) out.add(Files.readString(v.file()));
        return out;
    }

    @Test
    void storeIsMade0700AndASymlinkedOneIsRefused() throws IOException {
        store("trash");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(storeDir)));
        Path real = Files.createDirectories(tmp.resolve("real"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        IOException e = assertThrows(IOException.class,
                () -> VersionStore.open(link, VersioningPolicy.parse("trash"), clock));
        assertTrue(e.getMessage().contains("symlink"), e.getMessage());
        try (var s = Files.list(real)) {
            assertEquals(0, s.count(), "nothing made where the symlink leads");
        }
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwxrwxrwx"));
        e = assertThrows(IOException.class, () -> VersionStore.open(real, VersioningPolicy.parse("trash"), clock));
        assertTrue(e.getMessage().contains("writable by group or others"), e.getMessage());
    }

    @Test
    void simpleTwoKeepsExactlyTheTwoNewest() throws IOException {
        VersionStore store = store("simple:2");
        RelPath a = rel("dir/a.txt");
        for (int i = 1; i <= 5; i++) {
            writeAndKeep(store, a, "version " + i);
            clock.advance(Duration.ofSeconds(1));
            assertEquals(Math.min(i, 2), store.list(a).size(), "after " + i + " kept");
        }
        assertEquals(List.of("version 4", "version 5"), contents(store.list(a)));
        writeAndKeep(store, rel("dir/b.txt"), "other path");
        assertEquals(2, store.list(a).size(), "another path's versions do not count");
        assertEquals(3, store.list(rel("dir")).size());
        assertEquals(0, store.expire(), "expiry agrees with what keeping left");
    }

    @Test
    void trashExpiresAfterItsDaysInTheBackgroundPassOnly() throws IOException {
        VersionStore store = store("trash:3");
        RelPath a = rel("a");
        writeAndKeep(store, a, "old");
        clock.advance(Duration.ofDays(2));
        writeAndKeep(store, a, "newer");
        assertEquals(2, store.list(a).size());
        clock.set(T0.plus(Duration.ofDays(3)));
        assertEquals(0, store.expire(), "exactly 3 days old is not older than 3 days");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(1, store.expire());
        assertEquals(List.of("newer"), contents(store.list(a)));
        clock.advance(Duration.ofDays(2));
        assertEquals(1, store.expire());
        assertEquals(List.of(), store.list(null));
        try (var s = Files.list(storeDir.resolve("files"))) {
            assertEquals(0, s.count(), "nothing left in the store's files/");
        }
    }

    /** Versions at these ages (seconds before now), worked through Syncthing's staggered.go by hand. */
    private static final long DAY = 86_400;
    private static final long[] AGES = {400 * DAY, 40 * DAY, 39 * DAY, 32 * DAY, 20 * DAY, 19 * DAY + DAY / 2, 19 * DAY,
        5 * 3600, 4 * 3600 + 1800, 2 * 3600, 100, 80, 10};
    /** Over the 365-day maximum; 1 day after the 40-day one (weekly there); half a day (daily); half an hour (hourly); 20 s (30 s in the first hour). */
    private static final long[] REMOVED = {400 * DAY, 39 * DAY, 19 * DAY + DAY / 2, 4 * 3600 + 1800, 80};

    @Test
    void staggeredMatchesSyncthingsBuckets() {
        Instant now = T0;
        List<Instant> times = Arrays.stream(AGES).mapToObj(now::minusSeconds).toList();
        List<Instant> expected = Arrays.stream(REMOVED).mapToObj(now::minusSeconds).sorted().toList();
        assertEquals(expected, VersioningPolicy.parse("staggered").toRemove(times, now));
        assertEquals(List.of(), VersioningPolicy.parse("staggered:0").toRemove(List.of(now.minusSeconds(400 * DAY)), now),
                "staggered:0 keeps the weekly ones forever");
    }

    @Test
    void staggeredExpiryThinsTheStore() throws IOException {
        Instant now = T0.plus(Duration.ofDays(500));
        VersionStore keepAll = store("trash:100000");
        RelPath a = rel("docs/report.odt");
        for (long age : AGES) {
            clock.set(now.minusSeconds(age));
            writeAndKeep(keepAll, a, "age " + age);
        }
        clock.set(now);
        VersionStore staggered = store("staggered");
        assertEquals(REMOVED.length, staggered.expire());
        List<String> left = contents(staggered.list(a));
        List<String> expected = Arrays.stream(AGES)
                .filter(age -> Arrays.stream(REMOVED).noneMatch(r -> r == age)).mapToObj(age -> "age " + age).toList();
        assertEquals(expected, left);
    }

    @Test
    void staggeredThinsAPathAsSoonAsOneMoreIsKept() throws IOException {
        VersionStore store = store("staggered");
        RelPath a = rel("a");
        writeAndKeep(store, a, "first");
        clock.advance(Duration.ofSeconds(10));
        writeAndKeep(store, a, "ten seconds later");
        // As Syncthing does: within the first hour one per 30 s; walking from the oldest, the newer one goes.
        assertEquals(List.of("first"), contents(store.list(a)));
        clock.advance(Duration.ofSeconds(30));
        writeAndKeep(store, a, "forty seconds later");
        assertEquals(List.of("first", "forty seconds later"), contents(store.list(a)));
    }

    @Test
    void oddNamesSurviveAndSort() throws IOException {
        VersionStore store = store("trash");
        byte[] odd = {'d', 'i', 'r', ' ', '\n', '/', 'f', (byte) 0xff, (byte) 0xfe, '\\', ' ', '*'};
        RelPath oddRel = RelPath.of(odd);
        RelPath lookalike = rel("x/a~20260101-000000.000");
        RelPath plain = rel("x/a");
        Path oddFile = PathBytes.child(tree, odd);
        Files.createDirectories(oddFile.getParent());
        Files.write(oddFile, new byte[] {0, 1, 2, (byte) 0xff});
        store.keep(oddFile, oddRel);
        writeAndKeep(store, lookalike, "looks like a version");
        writeAndKeep(store, plain, "plain");
        List<Version> all = store.list(null);
        assertEquals(3, all.size());
        assertArrayEquals(odd, all.get(0).path().bytes());
        assertEquals(List.of(plain, lookalike), List.of(all.get(1).path(), all.get(2).path()), "sorted by raw bytes");
        assertEquals(List.of("plain"), contents(store.list(plain)), "a name that looks like a version is still its own path");
        assertEquals(List.of("looks like a version"), contents(store.list(lookalike)));
        Path restored = tmp.resolve("restored");
        store.restore(oddRel, null, restored);
        assertArrayEquals(new byte[] {0, 1, 2, (byte) 0xff}, Files.readAllBytes(restored));
    }

    @Test
    void restoreIsByteForByteAndKeepsWhatItReplaces() throws IOException {
        VersionStore store = store("trash");
        RelPath a = rel("sub/a.bin");
        Path file = tree.resolve("sub/a.bin");
        byte[] one = new byte[100_000];
        new Random(1).nextBytes(one);
        Files.createDirectories(file.getParent());
        Files.write(file, one);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        FileTime mtime = FileTime.from(Instant.parse("2025-01-02T03:04:05.123456789Z"));
        Files.setLastModifiedTime(file, mtime);
        store.keep(file, a);
        Instant firstKept = clock.instant();
        clock.advance(Duration.ofMinutes(5));
        writeAndKeep(store, a, "two");
        clock.advance(Duration.ofMinutes(5));
        Files.writeString(file, "current");

        Version v = store.restore(a, firstKept.plusSeconds(60), file);
        assertEquals(firstKept, v.time());
        assertArrayEquals(one, Files.readAllBytes(file));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(mtime, Files.getLastModifiedTime(file));
        assertEquals(List.of("two", "current").size() + 1, store.list(a).size(), "the replaced current file is a version now");
        assertEquals("current", Files.readString(store.list(a).get(2).file()));
        assertTrue(Files.exists(v.file()), "the version stays in the store");

        store.restore(a, null, file);
        assertEquals("current", Files.readString(file), "the newest version without --at");
        assertThrows(NoSuchFileException.class, () -> store.restore(a, T0.minusSeconds(1), file));
        assertThrows(NoSuchFileException.class, () -> store.restore(rel("never"), null, tree.resolve("never")));
        try (var s = Files.list(file.getParent())) {
            assertEquals(List.of("a.bin"), s.map(p -> p.getFileName().toString()).collect(Collectors.toList()), "no temp file left");
        }
    }

    @Test
    void reserveNeverHandsOutOneNameTwiceAndKeptThinsThatPath() throws IOException {
        VersionStore store = store("simple:1");
        RelPath a = rel("d/a");
        Path first = store.reserve(a);
        Path second = store.reserve(a);
        assertNotEquals(first, second, "the clock stood still: the second name is a millisecond later");
        assertTrue(Files.isDirectory(first.getParent()));
        assertEquals(0, store.expire());
        assertTrue(Files.isDirectory(first.getParent()), "an empty dir just reserved is not expired away");
        Files.writeString(tree.resolve("x"), "1");
        Files.move(tree.resolve("x"), first);
        Files.writeString(tree.resolve("x"), "2");
        Files.move(tree.resolve("x"), second);
        store.kept(a);
        assertEquals(List.of("2"), contents(store.list(a)));
    }

    @Test
    void aKeptDirectoryBecomesItsFilesAndSymlinks() throws IOException {
        VersionStore store = store("trash");
        Path d = Files.createDirectories(tree.resolve("gone/deep"));
        Files.writeString(d.resolve("f"), "f");
        Files.createSymbolicLink(tree.resolve("gone/link"), Path.of("deep/f"));
        store.keep(tree.resolve("gone"), rel("gone"));
        assertFalse(Files.exists(tree.resolve("gone")));
        List<Version> all = store.list(rel("gone"));
        assertEquals(List.of(rel("gone/deep/f"), rel("gone/link")), all.stream().map(Version::path).toList());
        Path back = tmp.resolve("link-back");
        store.restore(rel("gone/link"), null, back);
        assertEquals(Path.of("deep/f"), Files.readSymbolicLink(back));
    }

    @Test
    void aNameTooLongForTheSuffixIsAnErrorAndTheFileStays() throws IOException {
        VersionStore store = store("trash");
        String name = "n".repeat(240);
        Path file = tree.resolve(name);
        Files.writeString(file, "x");
        IOException e = assertThrows(IOException.class, () -> store.keep(file, rel(name)));
        assertTrue(e.getMessage().contains("240 bytes"), e.getMessage());
        assertEquals("x", Files.readString(file));
    }

    @Test
    void rsyncBackupsAreAdoptedAtTheirRunsTime() throws IOException {
        VersionStore store = store("simple:5");
        Path run = store.incomingDir();
        Files.createDirectories(run.resolve("a/b"));
        Files.writeString(run.resolve("a/b/c"), "backed up");
        Files.writeString(run.resolve("top"), "top");
        clock.advance(Duration.ofMinutes(1));
        assertEquals(2, store.adoptIncoming());
        assertFalse(Files.exists(run));
        List<Version> all = store.list(null);
        assertEquals(List.of(rel("a/b/c"), rel("top")), all.stream().map(Version::path).toList());
        assertEquals(T0, all.get(0).time(), "the run's time, not the adoption's");

        Path failed = store.incomingDir();
        Files.createDirectories(failed);
        Files.writeString(failed.resolve("cut-short"), "half");
        store.discardIncoming(failed);
        assertEquals(0, store.adoptIncoming(), "a failed run's copies are dropped, not adopted");
        assertEquals(2, store.list(null).size());
        assertThrows(IOException.class, () -> store.discardIncoming(tmp), "only a run's dir in incoming/");
    }

    @Test
    void badPoliciesAreNamed() {
        for (String bad : List.of("simple", "simple:0", "simple:x", "trash:-1", "none:3", "weekly", "staggered:-2")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VersioningPolicy.parse(bad), bad);
            assertTrue(e.getMessage().contains("expected none, trash[:DAYS]"), e.getMessage());
        }
        assertEquals("trash:30", VersioningPolicy.parse("trash").describe());
        assertEquals("simple:2", VersioningPolicy.parse("SIMPLE:2").describe());
        assertEquals("staggered:365", VersioningPolicy.parse("staggered").describe());
        assertFalse(VersioningPolicy.parse("none").keeps());
    }

    @Test
    void versionNamesSortByTime() {
        byte[] name = "f".getBytes(StandardCharsets.UTF_8);
        byte[] early = new VersionName(name, T0).encode();
        byte[] late = new VersionName(name, T0.plusMillis(1)).encode();
        assertEquals("f~20260301-120000.000", new String(early, StandardCharsets.UTF_8));
        assertTrue(Arrays.compareUnsigned(early, late) < 0);
        assertEquals(new VersionName(name, T0), VersionName.decode(early));
        assertEquals(null, VersionName.decode("f~2026".getBytes(StandardCharsets.UTF_8)));
    }
}
