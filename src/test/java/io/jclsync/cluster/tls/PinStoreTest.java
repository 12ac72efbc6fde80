package io.jclsync.cluster.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PinStoreTest {
    @TempDir
    Path tmp;

    private final Fingerprint a = NodeIdentity.create("n2").fingerprint();
    private final Fingerprint b = NodeIdentity.create("n2").fingerprint();

    @Test
    void aNameIsPinnedToTheFirstKeyItComesWithAcrossRestarts() throws Exception {
        Path file = tmp.resolve(PinStore.FILE);
        PinStore pins = PinStore.open(file);
        assertNull(pins.pinned("n2"));
        assertEquals(PinStore.Verdict.PINNED, pins.check("n2", a));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(PinStore.Verdict.SAME, pins.check("n2", a));
        assertEquals(PinStore.Verdict.CHANGED, pins.check("n2", b));
        assertEquals(a, pins.pinned("n2"), "a changed key does not replace the pin");
        assertEquals(PinStore.Verdict.PINNED, pins.check("n3", b), "names are pinned one by one");

        PinStore reopened = PinStore.open(file);
        assertEquals(PinStore.Verdict.CHANGED, reopened.check("n2", b), "the pin survives a restart");
        assertEquals(PinStore.Verdict.SAME, reopened.check("n3", b));
    }

    @Test
    void deletingANodesLineAcceptsItsNewKeyWithoutARestart() throws Exception {
        Path file = tmp.resolve(PinStore.FILE);
        PinStore pins = PinStore.open(file);
        pins.check("n2", a);
        pins.check("n3", a);
        assertEquals(PinStore.Verdict.CHANGED, pins.check("n2", b));
        Files.write(file, Files.readAllLines(file).stream().filter(l -> !l.startsWith("n2 ")).toList());
        assertEquals(PinStore.Verdict.PINNED, pins.check("n2", b));
        assertEquals(PinStore.Verdict.SAME, pins.check("n3", a));
    }

    @Test
    void aDamagedLineIsNamed() throws Exception {
        Path file = Files.writeString(tmp.resolve(PinStore.FILE), "# comment\n\nn2 " + a.hex() + "\nn3 nothex\n");
        String why = assertThrows(IOException.class, () -> PinStore.open(file)).getMessage();
        assertTrue(why.contains("line 4") && why.contains(file.toString()), why);
    }
}
