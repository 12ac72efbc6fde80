package io.jclsync.sync;

import io.jclsync.fs.PathBytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * Removes, at a local destination, the paths a batch found missing at the source. Each path is
 * checked again just before: if it has come back at the source it is left for rsync. Symbolic
 * links are removed, never followed, and nothing outside the destination is touched. With
 * versioning, what is removed is moved into the versions store first ({@link VersionKeeper}).
 */
final class LocalDeleter {
    private LocalDeleter() {}

    /** @return how many paths were removed (a directory counts once) */
    static int apply(Path sourceRoot, Path destDir, List<Path> missing, VersionKeeper versions) throws IOException {
        int removed = 0;
        for (Path rel : missing) {
            if (rel.isAbsolute() || rel.toString().isEmpty() || !rel.normalize().equals(rel)
                    || rel.startsWith("..")) {
                throw new IOException("refusing to delete " + PathBytes.display(rel) + ": not a plain relative path");
            }
            if (Files.exists(sourceRoot.resolve(rel), LinkOption.NOFOLLOW_LINKS)) continue;
            Path target = destDir.resolve(rel);
            if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) continue;
            versions.remove(target);
            removed++;
        }
        return removed;
    }
}
