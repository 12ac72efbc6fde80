package io.jclsync.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.nio.file.FileSystemException;

/** The type of a file-system entry, as far as syncing cares. */
public enum FileType {
    FILE, DIRECTORY, SYMLINK,
    /** Sockets, FIFOs and devices: never synced. */
    SPECIAL;

    public static FileType of(BasicFileAttributes attrs) {
        if (attrs.isSymbolicLink()) return SYMLINK;
        if (attrs.isDirectory()) return DIRECTORY;
        if (attrs.isRegularFile()) return FILE;
        return SPECIAL;
    }

    /** lstat: the attributes of {@code path} itself (links not followed), or empty if it is gone. */
    public static Optional<BasicFileAttributes> lstat(Path path) throws IOException {
        try {
            return Optional.of(Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        } catch (FileSystemException e) {
            if (gone(e)) return Optional.empty();
            throw e;
        }
    }

    /**
     * Whether {@code e} says the path is not there: ENOENT, or ENOTDIR (a parent is no longer a
     * directory, replaced by a file meanwhile). Under churn any path read may be gone by then.
     */
    public static boolean gone(FileSystemException e) {
        return e instanceof NoSuchFileException || "Not a directory".equals(e.getReason());
    }
}
