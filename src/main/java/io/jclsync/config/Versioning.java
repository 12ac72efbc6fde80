package io.jclsync.config;

import io.jclsync.versions.VersioningPolicy;
import java.nio.file.Path;

/**
 * What is kept of the files a sync replaces or deletes ({@code --versioning}, {@code --versions-dir}).
 *
 * @param policy which versions are kept and for how long
 * @param dir    where: an absolute local path (cluster mode, a local destination), or for a remote
 *               destination the path rsync's {@code --backup-dir} takes there (absolute on the remote,
 *               or relative to the destination); null when nothing is kept
 */
public record Versioning(VersioningPolicy policy, String dir, boolean remote) {
    public static final Versioning NONE = new Versioning(new VersioningPolicy.None(), null, false);

    public Versioning {
        if (policy.keeps() && dir == null) throw new IllegalArgumentException("versions kept but no versions dir");
    }

    public boolean keeps() {
        return policy.keeps();
    }

    /** The local versions dir; only when {@link #keeps()} and not {@link #remote()}. */
    public Path localDir() {
        if (!keeps() || remote) throw new IllegalStateException("no local versions dir");
        return Path.of(dir);
    }
}
