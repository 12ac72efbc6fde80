package io.jclsync.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jclsync.cluster.tls.NodeIdentity;
import io.jclsync.cluster.tls.PinStore;
import io.jclsync.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateFilesTest {
    @TempDir
    Path tmp;

    @Test
    void aMissingStateDirIsMadePrivate() throws Exception {
        Path dir = tmp.resolve("var/lib/jclsync/it");
        PrivateFiles.prepareStateDir(dir);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        PrivateFiles.prepareStateDir(dir); // an existing private one is fine
    }

    @Test
    void aStateDirOthersCanWriteIsRefused() throws Exception {
        for (String mode : new String[] {"rwxrwxrwx", "rwxrwx---", "rwx-w----", "rwx----w-"}) {
            Path dir = Files.createDirectories(tmp.resolve(mode));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(mode));
            String why = assertThrows(ConfigException.class, () -> PrivateFiles.prepareStateDir(dir)).getMessage();
            assertTrue(why.contains("writable by group or others") && why.contains("chmod 700 " + dir), why);
        }
        Path readable = Files.createDirectories(tmp.resolve("readable"));
        Files.setPosixFilePermissions(readable, PosixFilePermissions.fromString("rwxr-xr-x"));
        PrivateFiles.checkStateDir(readable); // readable is the operator's choice; writable is not
        Path file = Files.writeString(tmp.resolve("file"), "");
        assertTrue(assertThrows(ConfigException.class, () -> PrivateFiles.checkStateDir(file)).getMessage()
                .contains("not a directory"));
    }

    private Path secret(String mode) throws Exception {
        Path f = Files.writeString(tmp.resolve("secret-" + mode), "a secret of more than sixteen characters\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    @Test
    void theSecretFileIsTheUsersOnly() throws Exception {
        ClusterSecret.read(secret("rw-------"));
        ClusterSecret.read(secret("r--------"));
        for (String mode : new String[] {"rw-r-----", "rw----r--", "rw--w----", "rw-----w-"}) {
            String why = assertThrows(ConfigException.class, () -> ClusterSecret.read(secret(mode))).getMessage();
            assertTrue(why.contains("readable or writable by group or others") && why.contains("chmod 600"), mode + ": " + why);
        }
        Path link = Files.createSymbolicLink(tmp.resolve("link"), secret("rw-------"));
        assertTrue(assertThrows(ConfigException.class, () -> ClusterSecret.read(link)).getMessage()
                .contains("not a regular file"));
    }

    @Test
    void aSecretFileOfAnotherUserIsRefused() throws Exception {
        assumeTrue(PrivateFiles.runningUid() == 0, "giving a file away needs root");
        Path f = secret("rw-------");
        UserPrincipal nobody = f.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(f, nobody);
        String why = assertThrows(ConfigException.class, () -> ClusterSecret.read(f)).getMessage();
        assertTrue(why.contains("belongs to uid") && why.contains("chown"), why);
        Path dir = Files.createDirectories(tmp.resolve("theirs"));
        Files.setOwner(dir, nobody);
        assertTrue(assertThrows(ConfigException.class, () -> PrivateFiles.checkStateDir(dir)).getMessage()
                .contains("belongs to uid"));
    }

    @Test
    void theTransferKeyAndPinsAreTheUsersOnly() throws Exception {
        Path key = tmp.resolve(NodeIdentity.FILE);
        PrivateFiles.checkPrivateFileIfPresent(key, "transfer key"); // none yet: it is made 0600
        NodeIdentity.loadOrCreate(key, "n1");
        PrivateFiles.checkPrivateFileIfPresent(key, "transfer key");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        String why = assertThrows(ConfigException.class, () -> PrivateFiles.checkPrivateFileIfPresent(key, "transfer key"))
                .getMessage();
        assertTrue(why.startsWith("transfer key " + key) && why.contains("chmod 600"), why);
        Path pins = Files.writeString(tmp.resolve(PinStore.FILE), "");
        Files.setPosixFilePermissions(pins, PosixFilePermissions.fromString("rw-rw----"));
        why = assertThrows(ConfigException.class, () -> MemberKeys.open(tmp)).getMessage();
        assertTrue(why.startsWith("transfer pins file " + pins) && why.contains("chmod 600"), why);
        Files.delete(pins);
        Files.createSymbolicLink(pins, key);
        assertTrue(assertThrows(ConfigException.class, () -> MemberKeys.open(tmp)).getMessage().contains("not a regular file"));
    }
}
