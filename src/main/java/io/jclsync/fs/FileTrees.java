package io.jclsync.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/** Removing whole trees (symbolic links are removed, never followed), and replacing small files whole. */
public final class FileTrees {
    private FileTrees() {}

    /**
     * Replaces {@code file} with {@code content} (UTF-8) through a hidden temp file renamed over
     * it, so a reader never sees it empty or half written.
     */
    public static void writeAtomically(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Replaces {@code file} with {@code content} (UTF-8) like {@link #writeAtomically}, readable and
     * writable by the running user only (mode 0600) from its creation on: for keys and secrets.
     */
    public static void writePrivately(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        // Synced before and after the rename: after a crash the file is the old one or the new one,
        // never empty (an empty key would make a new identity; empty pins would trust anyone again).
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            out.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
            out.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(file.toAbsolutePath().getParent())) {
            dir.force(true);
        }
    }

    /**
     * Deletes {@code top} and everything below it; entries that vanish meanwhile are fine.
     *
     * @param within the tree {@code top} must be strictly inside: a guard against deleting the
     *               wrong thing through a bad path
     */
    public static void delete(Path top, Path within) throws IOException {
        if (!top.normalize().startsWith(within) || top.normalize().equals(within)) {
            throw new IOException("refusing to delete " + PathBytes.display(top) + ": not inside " + within);
        }
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) return FileVisitResult.CONTINUE;
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) throw e;
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
