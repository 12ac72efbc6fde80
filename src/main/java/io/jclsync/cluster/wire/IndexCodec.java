package io.jclsync.cluster.wire;

import io.jclsync.cluster.wire.proto.IndexEntry;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A node's index on disk: length-delimited {@code IndexEntry} records, written to a temp file and
 * renamed over the old one, so a crash leaves either the old or the new index, never half of one.
 * Records are validated like peer messages when read.
 */
public final class IndexCodec {
    private IndexCodec() {}

    /**
     * One indexed path: its last agreed change (a DELETE for a tombstone), who wrote it and, for a
     * tombstone, when it was made (epoch milliseconds).
     */
    public record Entry(WireMessage.Change change, String writer, long deletedAtMillis) {}

    public static void write(Path file, Iterable<Entry> entries) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            for (Entry e : entries) {
                IndexEntry.newBuilder().setChange(WireCodec.encodeChange(e.change())).setWriter(e.writer())
                        .setDeletedAtMs(e.deletedAtMillis()).build().writeDelimitedTo(out);
            }
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** @throws WireException naming the record that is not valid */
    public static List<Entry> read(Path file) throws IOException, WireException {
        List<Entry> out = new ArrayList<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            IndexEntry e;
            while ((e = IndexEntry.parseDelimitedFrom(in)) != null) {
                try {
                    out.add(new Entry(WireCodec.decodeChange(e.getChange()), e.getWriter(), e.getDeletedAtMs()));
                } catch (IllegalArgumentException bad) {
                    throw new WireException("index record " + out.size() + ": " + bad.getMessage());
                } catch (WireException bad) {
                    throw new WireException("index record " + out.size() + ": " + bad.getMessage());
                }
            }
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new WireException("index " + file + " is damaged after " + out.size() + " records: " + e.getMessage());
        }
        return out;
    }
}
