package io.jclsync.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.util.List;

/** The secret file: one secret, or two while the cluster changes it; the rsync password follows the first. */
class ClusterSecretTest {
    private static final String OLD = "the old secret of this cluster";
    private static final String NEW = "the new secret of this cluster";

    @TempDir
    Path tmp;

    private Path file(String text) throws Exception {
        Path f = Files.createTempFile(tmp, "secret", "");
        Files.writeString(f, text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    @Test
    void twoSecretsAreReadAndTheFirstIsTheOneInUse() throws Exception {
        ClusterSecret both = ClusterSecret.read(file(OLD + "\n\n" + NEW + "\n"));
        ClusterSecret old = ClusterSecret.read(file(OLD + "\n"));
        assertEquals(old.transferPassword("c"), both.transferPassword("c"));
        ClusterSecret swapped = ClusterSecret.read(file(NEW + "\n" + OLD));
        assertTrue(!swapped.transferPassword("c").equals(both.transferPassword("c")));
        // Both rsync passwords are accepted while the secret changes, the one in use first.
        assertEquals(List.of(both.transferPassword("c"), swapped.transferPassword("c")), both.transferPasswords("c"));
        assertEquals(List.of(old.transferPassword("c")), old.transferPasswords("c"));
    }

    @Test
    void mistakesAreRefusedWithTheFix() throws Exception {
        String three = assertThrows(ConfigException.class, () -> ClusterSecret.read(file(OLD + "\n" + NEW + "\nthird one, long enough\n"))).getMessage();
        assertTrue(three.contains("3 secrets"), three);
        String same = assertThrows(ConfigException.class, () -> ClusterSecret.read(file(OLD + "\n" + OLD + "\n"))).getMessage();
        assertTrue(same.contains("same secret on both lines"), same);
        String shortSecond = assertThrows(ConfigException.class, () -> ClusterSecret.read(file(OLD + "\nshort\n"))).getMessage();
        assertTrue(shortSecond.contains("cluster secret 2") && shortSecond.contains("at least 16"), shortSecond);
        String empty = assertThrows(ConfigException.class, () -> ClusterSecret.read(file("\n"))).getMessage();
        assertTrue(empty.contains("at least 16"), empty);
    }
}
