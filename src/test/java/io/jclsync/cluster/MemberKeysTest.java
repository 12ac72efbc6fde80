package io.jclsync.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.cluster.tls.Fingerprint;
import io.jclsync.cluster.tls.NodeIdentity;
import io.jclsync.cluster.tls.PinStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemberKeysTest {
    @TempDir
    Path state;

    private final Fingerprint n2 = NodeIdentity.create("n2").fingerprint();
    private final Fingerprint n2Again = NodeIdentity.create("n2").fingerprint();
    private final Fingerprint n3 = NodeIdentity.create("n3").fingerprint();

    @Test
    void aHellosKeyIsTakenWhenItIsThePinnedOneAndThenNamesItsMember() throws Exception {
        MemberKeys keys = MemberKeys.open(state);
        assertTrue(keys.admit("n2", n2), "a new name is pinned");
        assertTrue(keys.admit("n3", n3));
        assertTrue(keys.admit("n2", n2), "and taken again with its key");
        assertEquals("n2", keys.nameOf(n2));
        assertEquals("n3", keys.nameOf(n3));
        assertNull(keys.nameOf(n2Again), "a key nobody said hello with is no member's");
        assertEquals(Map.of("n2", n2, "n3", n3), keys.current());
        keys.retain(List.of("n1", "n3"));
        assertNull(keys.nameOf(n2), "a member that left is no member");
        assertEquals("n3", keys.nameOf(n3));
        assertTrue(keys.admit("n2", n2), "it comes back with its key");
    }

    @Test
    void aNameWithAnotherKeyIsRefusedAcrossRestartsUntilItsPinIsDeleted() throws Exception {
        MemberKeys keys = MemberKeys.open(state);
        assertTrue(keys.admit("n2", n2));
        assertFalse(keys.admit("n2", n2Again));
        assertTrue(keys.refused("n2"));
        assertNull(keys.nameOf(n2), "nor is its old key served any more");
        assertNull(keys.nameOf(n2Again));

        MemberKeys restarted = MemberKeys.open(state);
        assertFalse(restarted.admit("n2", n2Again), "the pin is kept in the state dir");
        Path pins = state.resolve(PinStore.FILE);
        Files.write(pins, Files.readAllLines(pins).stream().filter(l -> !l.startsWith("n2 ")).toList());
        assertTrue(restarted.admit("n2", n2Again), "once its line is deleted, its next hello pins the new key");
        assertFalse(restarted.refused("n2"));
        assertEquals("n2", restarted.nameOf(n2Again));
    }

    /** Found by review: one key said hello under two names made the listener serve whichever it found first. */
    @Test
    void aKeyAlreadyAMembersIsRefusedUnderAnotherName() throws Exception {
        MemberKeys keys = MemberKeys.open(state);
        assertTrue(keys.admit("n2", n2));
        assertFalse(keys.admit("n4", n2), "n2's key under the name n4");
        assertTrue(keys.refused("n4"));
        assertEquals("n2", keys.nameOf(n2), "the key still names n2");
        assertEquals(Map.of("n2", n2), keys.current());
        assertFalse(Files.readString(state.resolve(PinStore.FILE)).contains("n4"), "nothing pinned for n4");
    }
}
