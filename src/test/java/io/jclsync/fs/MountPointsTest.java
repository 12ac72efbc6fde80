package io.jclsync.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountPointsTest {
    @Test
    void mountPointsBelowTheRootAreFoundWithEscapedNames(@TempDir Path root) throws Exception {
        List<String> mountinfo = List.of(
                "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
                "43 22 0:39 / " + root + "/a\\040b rw,relatime - tmpfs none rw",
                "44 22 0:40 / " + root + "/deep/er rw - tmpfs none rw",
                "45 22 0:41 / " + root + "-sibling rw - tmpfs none rw",
                "46 22 0:42 / " + root + " rw - tmpfs none rw",
                "short line");
        assertEquals(List.of(Path.of("a b"), Path.of("deep/er")), MountPoints.below(root, mountinfo, false),
                "below the root only (not the root, not a sibling with the same prefix); \\040 is a space");
        assertEquals("tab\there\\x", MountPoints.unescape("tab\\011here\\x"));
    }
}
