package io.jclsync.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class RenamePairerTest {
    private final RenamePairer pairer = new RenamePairer(50);

    @Test
    void pairsHalvesByCookieInAnyInterleaving() {
        pairer.movedFrom(7, Path.of("a"), false, 0);
        pairer.movedFrom(8, Path.of("dir"), true, 1);
        assertEquals(Path.of("dir"), pairer.movedTo(8).from());
        RenamePairer.Pending a = pairer.movedTo(7);
        assertEquals(Path.of("a"), a.from());
        assertEquals(false, a.directory());
        assertNull(pairer.movedTo(7), "a cookie pairs once");
        assertEquals(-1, pairer.millisUntilNextDeadline(2));
    }

    @Test
    void aMoveIntoTheTreeHasNoPartner() {
        assertNull(pairer.movedTo(42));
    }

    @Test
    void anUnpairedHalfExpiresAsAMoveOutOfTheTree() {
        pairer.movedFrom(1, Path.of("gone"), true, 100);
        pairer.movedFrom(2, Path.of("later"), false, 120);
        assertTrue(pairer.expire(149).isEmpty());
        List<RenamePairer.Pending> expired = pairer.expire(150);
        assertEquals(1, expired.size());
        assertEquals(Path.of("gone"), expired.get(0).from());
        assertEquals(1, pairer.drain().size());
        assertTrue(pairer.drain().isEmpty());
    }
}
