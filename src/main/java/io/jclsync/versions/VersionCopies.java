package io.jclsync.versions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;

/** Copies of one file or symlink into or out of the store: contents, mode and mtime to the nanosecond. */
final class VersionCopies {
    private VersionCopies() {}

    /** Copies {@code from} to the new path {@code to}; a symlink is copied as a symlink. */
    static void copy(Path from, Path to) throws IOException {
        BasicFileAttributes a = Files.readAttributes(from, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isSymbolicLink()) {
            Files.createSymbolicLink(to, Files.readSymbolicLink(from));
            return;
        }
        if (!a.isRegularFile()) throw new IOException(from + " is neither a file nor a symlink: only those are kept as versions");
        Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        // COPY_ATTRIBUTES keeps only microseconds on JDK 17: stamp the nanoseconds read before the copy.
        Files.getFileAttributeView(to, PosixFileAttributeView.class).setTimes(a.lastModifiedTime(), null, null);
    }
}
