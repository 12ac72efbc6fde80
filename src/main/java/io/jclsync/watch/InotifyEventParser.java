package io.jclsync.watch;

import io.jclsync.watch.jna.Inotify;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/** Parses the records that one {@code read()} of an inotify fd returns (native byte order: little-endian). */
public final class InotifyEventParser {
    private InotifyEventParser() {}

    /**
     * Reads every complete record between the reader and writer index of {@code buf}.
     *
     * @throws IllegalArgumentException if the buffer ends inside a record (the kernel never splits one)
     */
    public static List<InotifyEvent> parse(ByteBuf buf) {
        List<InotifyEvent> events = new ArrayList<>();
        while (buf.isReadable()) {
            if (buf.readableBytes() < Inotify.EVENT_HEADER_SIZE) {
                throw new IllegalArgumentException("truncated inotify event header: "
                        + buf.readableBytes() + " bytes left");
            }
            int wd = buf.readIntLE();
            int mask = buf.readIntLE();
            int cookie = buf.readIntLE();
            int len = buf.readIntLE();
            if (len < 0 || len > buf.readableBytes()) {
                throw new IllegalArgumentException("inotify event name length " + Integer.toUnsignedString(len)
                        + " exceeds the " + buf.readableBytes() + " bytes left");
            }
            int nameLength = 0;
            while (nameLength < len && buf.getByte(buf.readerIndex() + nameLength) != 0) {
                nameLength++;
            }
            byte[] name = new byte[nameLength];
            buf.getBytes(buf.readerIndex(), name);
            buf.skipBytes(len);
            events.add(new InotifyEvent(wd, mask, cookie, name));
        }
        return events;
    }
}
