package io.jclsync.sync;

import java.nio.file.Path;

/**
 * Where synced files go: a local directory or an rsync remote ({@code host:/path},
 * {@code user@host:/path}, {@code host::module/path}, {@code rsync://host/module/path}).
 */
public record Destination(String spec, Path localDir) {

    public static Destination parse(String spec) {
        if (isRemote(spec)) return new Destination(spec, null);
        Path dir = Path.of(spec).toAbsolutePath().normalize();
        return new Destination(dir.toString(), dir);
    }

    private static boolean isRemote(String spec) {
        if (spec.startsWith("rsync://")) return true;
        int colon = spec.indexOf(':');
        int slash = spec.indexOf('/');
        return colon > 0 && (slash < 0 || colon < slash);
    }

    public boolean isLocal() {
        return localDir != null;
    }

    /** The form rsync wants: with a trailing slash, so the tree's contents land in it. */
    public String rsyncTarget() {
        return spec.endsWith("/") ? spec : spec + "/";
    }

    @Override
    public String toString() {
        return spec;
    }
}
