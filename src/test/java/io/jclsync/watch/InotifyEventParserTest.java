package io.jclsync.watch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jclsync.watch.jna.Inotify;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.Test;

class InotifyEventParserTest {
    /** Writes a record the way the kernel lays it out: header, name, NUL padding to {@code len}. */
    private static void record(ByteBuf buf, int wd, int mask, int cookie, byte[] name, int len) {
        buf.writeIntLE(wd).writeIntLE(mask).writeIntLE(cookie).writeIntLE(len);
        buf.writeBytes(name);
        buf.writeZero(len - name.length);
    }

    @Test
    void readsPaddedRecordsWithRawNames() {
        ByteBuf buf = Unpooled.buffer();
        byte[] odd = {'n', (byte) 0xff, '\n', ' '};
        record(buf, 1, Inotify.IN_CREATE, 0, odd, 16);
        record(buf, 2, Inotify.IN_MOVED_FROM | Inotify.IN_ISDIR, 99, "dir".getBytes(), 4);
        record(buf, 1, Inotify.IN_Q_OVERFLOW, 0, new byte[0], 0);
        List<InotifyEvent> events = InotifyEventParser.parse(buf);
        assertEquals(3, events.size());
        assertArrayEquals(odd, events.get(0).name());
        assertEquals(Inotify.IN_CREATE, events.get(0).mask());
        assertEquals(99, events.get(1).cookie());
        assertArrayEquals("dir".getBytes(), events.get(1).name());
        assertEquals(2, events.get(1).wd());
        assertEquals(0, events.get(2).name().length);
    }

    @Test
    void aTruncatedRecordIsAnError() {
        ByteBuf header = Unpooled.buffer();
        header.writeIntLE(1).writeIntLE(2);
        assertThrows(IllegalArgumentException.class, () -> InotifyEventParser.parse(header));
        ByteBuf name = Unpooled.buffer();
        name.writeIntLE(1).writeIntLE(2).writeIntLE(0).writeIntLE(32).writeZero(8);
        assertThrows(IllegalArgumentException.class, () -> InotifyEventParser.parse(name));
    }
}
