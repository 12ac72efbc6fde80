package io.jclsync.cluster;

import io.jclsync.config.ConfigException;
import io.jclsync.fs.PrivateDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/**
 * What only the user running a node may change: its state dir (index, counters, the rsync
 * secrets and config, its transfer key and pins) and the cluster secret file. Anyone else who could write them
 * could feed the node a forged index or learn or replace the secret.
 */
public final class PrivateFiles {
    private static final int GROUP_OTHER_WRITE = 0022;
    private static final int GROUP_OTHER_ALL = 0077;

    private PrivateFiles() {}

    /**
     * Creates {@code dir} with mode 0700 if it is missing (its parents as usual), and checks it.
     *
     * @throws ConfigException when it exists but is not a directory of this user, or is writable
     *                         by group or others
     */
    public static void prepareStateDir(Path dir) throws IOException, ConfigException {
        PrivateDirs.makeIfMissing(dir);
        checkStateDir(dir);
    }

    /** @throws ConfigException when {@code dir} exists and is not a private directory of this user */
    public static void checkStateDir(Path dir) throws IOException, ConfigException {
        if (!Files.exists(dir)) return;
        if (!Files.isDirectory(dir)) throw new ConfigException("state dir " + dir + " is not a directory");
        // Follows a symlink: a state dir linked elsewhere is fine if where it leads is private.
        Map<String, Object> a = Files.readAttributes(dir, "unix:uid,mode");
        int uid = (Integer) a.get("uid");
        if (uid != runningUid()) {
            throw new ConfigException("state dir " + dir + " belongs to uid " + uid + ", but jclsync runs as uid "
                    + runningUid() + " (chown it to the user that runs the node, or use another --state-dir)");
        }
        if (((Integer) a.get("mode") & GROUP_OTHER_WRITE) != 0) {
            throw new ConfigException("state dir " + dir + " is writable by group or others, who could change the node's "
                    + "index and secrets (chmod 700 " + dir + ")");
        }
    }

    /**
     * @throws ConfigException when {@code file} is not a regular file (a symlink is not followed)
     *                         of this user that only this user may read or write
     */
    static void checkSecretFile(Path file) throws IOException, ConfigException {
        checkPrivateFile(file, "cluster secret file", "the secret");
    }

    /**
     * Checks {@code file} like the secret file, if it exists: the node's transfer key and its pins.
     *
     * @param what what the file is, for the message
     */
    static void checkPrivateFileIfPresent(Path file, String what) throws IOException, ConfigException {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) checkPrivateFile(file, what, "it");
    }

    private static void checkPrivateFile(Path file, String what, String it) throws IOException, ConfigException {
        Map<String, Object> a = Files.readAttributes(file, "unix:uid,mode,isRegularFile", LinkOption.NOFOLLOW_LINKS);
        if (!(Boolean) a.get("isRegularFile")) {
            throw new ConfigException(what + " " + file + " is not a regular file (a symlink is not followed: "
                    + "name the file itself)");
        }
        int uid = (Integer) a.get("uid");
        if (uid != runningUid()) {
            throw new ConfigException(what + " " + file + " belongs to uid " + uid + ", but jclsync runs as uid "
                    + runningUid() + ": whoever owns it can change " + it + " (chown it to the user that runs the node)");
        }
        int mode = (Integer) a.get("mode");
        if ((mode & GROUP_OTHER_ALL) != 0) {
            throw new ConfigException(what + " " + file + " is readable or writable by group or others "
                    + "(mode " + Integer.toOctalString(mode & 07777) + "; chmod 600 " + file + ")");
        }
    }

    /** The uid this process runs as. */
    public static int runningUid() {
        return PrivateDirs.runningUid();
    }
}
