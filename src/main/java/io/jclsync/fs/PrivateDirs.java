package io.jclsync.fs;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/** Directories only the running user may change: made 0700, and checked before anything is put in them. */
public final class PrivateDirs {
    public static final Set<PosixFilePermission> MODE_700 = PosixFilePermissions.fromString("rwx------");
    private static final int GROUP_OTHER_WRITE = 0022;

    private PrivateDirs() {}

    /** Creates {@code dir} with mode 0700 if it is missing (its parents as usual); an existing one is left as it is. */
    public static void makeIfMissing(Path dir) throws IOException {
        if (Files.exists(dir)) return;
        if (dir.getParent() != null) Files.createDirectories(dir.getParent());
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(MODE_700));
        } catch (FileAlreadyExistsException raced) {
            // made meanwhile (another tree of a host): the caller checks it like any existing one
        }
    }

    /**
     * What makes {@code dir} unfit to hold files only this user may change, or null when it is fit.
     * A symlink is followed: where it leads must be fit.
     *
     * @param rootMayOwn accept a directory of root's too (root can change anything anyway)
     */
    public static String problem(Path dir, boolean rootMayOwn) throws IOException {
        if (!Files.isDirectory(dir)) return "is not a directory";
        Map<String, Object> a = Files.readAttributes(dir, "unix:uid,mode");
        int uid = (Integer) a.get("uid");
        if (uid != runningUid() && !(rootMayOwn && uid == 0)) {
            return "belongs to uid " + uid + ", but jclsync runs as uid " + runningUid();
        }
        int mode = (Integer) a.get("mode");
        if ((mode & GROUP_OTHER_WRITE) != 0) {
            return "is writable by group or others (mode " + Integer.toOctalString(mode & 07777) + ")";
        }
        return null;
    }

    /** The uid this process runs as. */
    public static int runningUid() {
        return (int) new com.sun.security.auth.module.UnixSystem().getUid();
    }
}
