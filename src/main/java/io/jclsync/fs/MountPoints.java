package io.jclsync.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The mount points below a directory, from {@code /proc/self/mountinfo}: what
 * {@code --one-file-system} and {@code --exclude-mount-points} keep out of a tree.
 */
public final class MountPoints {
    private MountPoints() {}

    /**
     * Mount points strictly below {@code root}, relative to it.
     *
     * @param otherDeviceOnly only those whose file system is not {@code root}'s (a bind mount of
     *                        the same file system stays)
     */
    public static List<Path> below(Path root, boolean otherDeviceOnly) throws IOException {
        return below(root, Files.readAllLines(Path.of("/proc/self/mountinfo")), otherDeviceOnly);
    }

    static List<Path> below(Path root, List<String> mountinfo, boolean otherDeviceOnly) throws IOException {
        Object rootDevice = Files.getAttribute(root, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        List<Path> out = new ArrayList<>();
        for (String line : mountinfo) {
            String[] f = line.split(" ");
            if (f.length < 5) continue;
            Path mount = Path.of(unescape(f[4]));
            if (!mount.startsWith(root) || mount.equals(root)) continue;
            if (otherDeviceOnly) {
                try {
                    if (rootDevice.equals(Files.getAttribute(mount, "unix:dev", LinkOption.NOFOLLOW_LINKS))) continue;
                } catch (IOException gone) {
                    continue;
                }
            }
            Path rel = root.relativize(mount);
            if (!out.contains(rel)) out.add(rel);
        }
        return out;
    }

    /** mountinfo escapes space, tab, newline and backslash as \\ooo (octal). */
    static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 4 <= s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
