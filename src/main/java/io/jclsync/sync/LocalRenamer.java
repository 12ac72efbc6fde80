package io.jclsync.sync;

import io.jclsync.batch.Batch;
import io.jclsync.fs.PathBytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.logging.Logger;

/**
 * Applies renames at a local destination with rename(2), so a renamed directory costs no copying.
 * It never replaces anything: when the old path is missing or the new one is taken, the rename is
 * skipped and the transfer that follows brings the destination to the source's state.
 */
final class LocalRenamer {
    private static final Logger LOG = Logger.getLogger(LocalRenamer.class.getName());

    private LocalRenamer() {}

    /** @return how many renames were applied */
    static int apply(Path destDir, List<Batch.Rename> renames) {
        int applied = 0;
        for (Batch.Rename r : renames) {
            Path from = destDir.resolve(r.from());
            Path to = destDir.resolve(r.to());
            if (!Files.exists(from, LinkOption.NOFOLLOW_LINKS) || Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try {
                Files.createDirectories(to.getParent());
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
                applied++;
            } catch (IOException e) {
                LOG.fine(() -> "rename " + PathBytes.display(r.from()) + " -> " + PathBytes.display(r.to())
                        + " at the destination failed (" + e + "); copying instead");
            }
        }
        return applied;
    }
}
