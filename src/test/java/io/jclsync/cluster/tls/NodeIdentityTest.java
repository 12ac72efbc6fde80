package io.jclsync.cluster.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeIdentityTest {
    @TempDir
    Path tmp;

    @Test
    void theKeyIsMadeOnceReadableByItsOwnerOnlyAndReadBackAsItWas() throws Exception {
        Path file = tmp.resolve(NodeIdentity.FILE);
        NodeIdentity made = NodeIdentity.loadOrCreate(file, "n1");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String pem = Files.readString(file);
        assertTrue(pem.contains("-----BEGIN PRIVATE KEY-----") && pem.contains("-----BEGIN CERTIFICATE-----"), pem);
        try (var left = Files.list(tmp)) {
            assertEquals(1, left.count(), "no temp file left beside it");
        }
        NodeIdentity again = NodeIdentity.loadOrCreate(file, "n1");
        assertEquals(made.fingerprint(), again.fingerprint());
        assertEquals(pem, Files.readString(file), "an existing key is never replaced");
        assertNotEquals(made.fingerprint(), NodeIdentity.loadOrCreate(tmp.resolve("other.pem"), "n1").fingerprint(),
                "each node has a key of its own");
    }

    @Test
    void aFingerprintIsTheSha256OfThePublicKeyInHex() throws Exception {
        NodeIdentity id = NodeIdentity.create("n1");
        Fingerprint f = id.fingerprint();
        assertEquals(64, f.hex().length());
        assertEquals(f, Fingerprint.of(f.bytes()));
        assertEquals("sha256:" + f.hex(), f.toString());
        assertThrows(IllegalArgumentException.class, () -> Fingerprint.of(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> new Fingerprint("AB".repeat(32)));
    }

    @Test
    void aDamagedFileStopsTheNodeWithWhatToDo() throws Exception {
        Path file = Files.writeString(tmp.resolve(NodeIdentity.FILE), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        String why = assertThrows(IOException.class, () -> NodeIdentity.loadOrCreate(file, "n1")).getMessage();
        assertTrue(why.contains("move it away") && why.contains(file.toString()), why);
        Files.writeString(file, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
                + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        why = assertThrows(IOException.class, () -> NodeIdentity.loadOrCreate(file, "n1")).getMessage();
        assertTrue(why.contains("is damaged") && why.contains("move it away"), why);
    }
}
