package io.jclsync.batch;

import static io.jclsync.batch.ChangeKind.CREATE;
import static io.jclsync.batch.ChangeKind.DELETE;
import static io.jclsync.batch.ChangeKind.MODIFY;
import static io.jclsync.batch.ChangeKind.combine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class ChangeKindTest {
    @Test
    void createdThenDeletedWithinAWindowDropsOut() {
        assertNull(combine(CREATE, DELETE));
    }

    @Test
    void createdThenModifiedIsStillACreate() {
        assertEquals(CREATE, combine(CREATE, MODIFY));
        assertEquals(CREATE, combine(CREATE, CREATE));
    }

    @Test
    void deletedThenCreatedIsAModify() {
        assertEquals(MODIFY, combine(DELETE, CREATE));
        assertEquals(MODIFY, combine(DELETE, MODIFY));
    }

    @Test
    void modifiedThenDeletedIsADelete() {
        assertEquals(DELETE, combine(MODIFY, DELETE));
        assertEquals(DELETE, combine(DELETE, DELETE));
        assertEquals(MODIFY, combine(MODIFY, CREATE));
    }

    @Test
    void nothingQueuedTakesTheNewEvent() {
        for (ChangeKind k : ChangeKind.values()) assertEquals(k, combine(null, k));
    }
}
