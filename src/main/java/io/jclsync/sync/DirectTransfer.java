package io.jclsync.sync;

import io.jclsync.transfer.Outcome;
import io.jclsync.transfer.Transfer;
import io.jclsync.transfer.TransferResult;

import io.jclsync.batch.Batch;
import io.jclsync.filter.Filter;
import io.jclsync.fs.FileType;
import io.jclsync.fs.PathBytes;
import io.jclsync.versions.VersionStore;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The {@code direct} mode: copies and removes in this process, for local destinations only.
 * Files are written to a temporary name in the target directory and renamed into place, so a
 * reader never sees half a file. Entries the rules reject are neither copied nor deleted. With
 * versioning, what a copy replaces and what is deleted is moved into the versions store first.
 */
public final class DirectTransfer implements Transfer {
    private static final String TEMP_PREFIX = ".jclsync-tmp-";
    private final Path root;
    private final Path dest;
    private final Supplier<Filter> filter;
    private final VersionKeeper versions;
    private long copied;

    /** @param versions where replaced and deleted entries are kept, or null to keep nothing */
    public DirectTransfer(Path root, Path dest, Supplier<Filter> filter, VersionStore versions) {
        this.root = root;
        this.dest = dest;
        this.filter = filter;
        this.versions = new VersionKeeper(versions, dest);
    }

    /** One run at a time (a local copy is bound by the disks, not by waiting): {@code copied} counts this run. */
    @Override
    public synchronized TransferResult run(Batch batch) throws InterruptedException {
        copied = 0;
        int renamed = LocalRenamer.apply(dest, batch.renames());
        try {
            Filter f = filter.get();
            if (batch.full()) {
                mirrorDirectory(Path.of(""), f);
            } else {
                for (Batch.Entry e : batch.entries()) {
                    if (Thread.interrupted()) throw new InterruptedException();
                    sync(e.path(), f);
                }
            }
        } catch (IOException e) {
            return new TransferResult(Outcome.RETRY, -1, copied, copied, renamed, "direct copy failed: " + e);
        }
        return TransferResult.ok(copied, copied, renamed);
    }

    private void sync(Path rel, Filter f) throws IOException {
        Optional<BasicFileAttributes> src = FileType.lstat(root.resolve(rel));
        if (src.isEmpty()) {
            deleteTree(dest.resolve(rel));
            return;
        }
        FileType type = FileType.of(src.get());
        if (type == FileType.SPECIAL || !f.accepts(rel, type)) return;
        Files.createDirectories(dest.resolve(rel).getParent());
        switch (type) {
            case DIRECTORY -> mirrorDirectory(rel, f);
            case FILE -> copyFile(rel, src.get());
            case SYMLINK -> copyLink(rel);
            default -> { }
        }
    }

    private void mirrorDirectory(Path rel, Filter f) throws IOException {
        Path s = root.resolve(rel);
        Path d = dest.resolve(rel);
        Optional<BasicFileAttributes> existing = FileType.lstat(d);
        if (existing.isPresent() && !existing.get().isDirectory()) deleteTree(d);
        Files.createDirectories(d);
        Set<Path> seen = new HashSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(s)) {
            for (Path child : entries) {
                Path childRel = root.relativize(child);
                seen.add(child.getFileName());
                sync(childRel, f);
            }
        } catch (NoSuchFileException e) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(d)) {
            for (Path child : entries) {
                Path childRel = dest.relativize(child);
                if (seen.contains(child.getFileName())) continue;
                Optional<BasicFileAttributes> a = FileType.lstat(child);
                if (a.isPresent() && f.accepts(childRel, FileType.of(a.get()))) deleteTree(child);
            }
        }
        copyMetadata(s, d);
    }

    private void copyFile(Path rel, BasicFileAttributes src) throws IOException {
        Path s = root.resolve(rel);
        Path d = dest.resolve(rel);
        Optional<BasicFileAttributes> existing = FileType.lstat(d);
        if (existing.isPresent() && existing.get().isRegularFile() && existing.get().size() == src.size()
                && existing.get().lastModifiedTime().equals(src.lastModifiedTime())) {
            copyMetadata(s, d);
            return;
        }
        if (existing.isPresent() && existing.get().isDirectory()) deleteTree(d);
        Path tmp = d.resolveSibling(TEMP_PREFIX + d.getFileName());
        Files.copy(s, tmp, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES,
                LinkOption.NOFOLLOW_LINKS);
        // COPY_ATTRIBUTES keeps only microseconds on JDK 17; stamp the mtime seen before the copy,
        // to the nanosecond, so a file changed during the copy differs and is copied again.
        Files.getFileAttributeView(tmp, PosixFileAttributeView.class).setTimes(src.lastModifiedTime(), null, null);
        if (existing.isPresent() && existing.get().isRegularFile()) versions.keep(d);
        Files.move(tmp, d, StandardCopyOption.ATOMIC_MOVE);
        copied += src.size();
    }

    private void copyLink(Path rel) throws IOException {
        Path d = dest.resolve(rel);
        Path target = Files.readSymbolicLink(root.resolve(rel));
        Optional<BasicFileAttributes> existing = FileType.lstat(d);
        if (existing.isPresent() && existing.get().isSymbolicLink() && Files.readSymbolicLink(d).equals(target)) {
            return;
        }
        if (existing.isPresent()) deleteTree(d);
        Files.createSymbolicLink(d, target);
    }

    private static void copyMetadata(Path s, Path d) throws IOException {
        PosixFileAttributes a = Files.readAttributes(s, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        PosixFileAttributeView view = Files.getFileAttributeView(d, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        view.setPermissions(a.permissions());
        view.setTimes(a.lastModifiedTime(), null, null);
    }

    /** Removes a destination entry (kept as a version first, with versioning); only ever called with a path inside the destination. */
    private void deleteTree(Path d) throws IOException {
        if (!d.startsWith(dest) || d.equals(dest)) {
            throw new IOException("refusing to delete " + PathBytes.display(d) + " outside " + dest);
        }
        versions.keep(d);
        Optional<BasicFileAttributes> a = FileType.lstat(d);
        if (a.isEmpty()) return;
        if (a.get().isDirectory()) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(d)) {
                for (Path child : entries) deleteTree(child);
            }
        }
        Files.deleteIfExists(d);
    }
}
