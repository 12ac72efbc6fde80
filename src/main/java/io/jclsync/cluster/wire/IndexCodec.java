package io.jclsync.cluster.wire;

import io.jclsync.cluster.wire.proto.IndexEntry;
import io.jclsync.cluster.wire.proto.IndexHeader;
import io.jclsync.fs.RelPath;
import io.jclsync.state.Index;
import io.jclsync.state.IndexLog;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * A node's index on disk: an {@code IndexHeader} then length-delimited {@code IndexEntry} records,
 * written to a temp file, flushed to disk and renamed over the old one, so a crash (even of the
 * machine) leaves either the old or the new index, never half of one. Records are validated like
 * peer messages when read.
 */
public final class IndexCodec {
    static final int FORMAT = 2;

    private IndexCodec() {}

    public static void write(Path file, IndexLog.Snapshot index) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
            IndexHeader.Builder header = IndexHeader.newBuilder().setFormat(FORMAT).setIndexId(index.indexId())
                    .setSequence(index.sequence()).setForgotten(index.forgotten());
            index.peers().forEach((peer, pos) -> header.putPeers(peer, WireCodec.position(pos)));
            header.build().writeDelimitedTo(out);
            for (Map.Entry<Path, Index.Version> e : index.entries().entrySet()) {
                entry(e.getKey(), e.getValue()).writeDelimitedTo(out);
            }
            out.flush();
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** One index entry as its record (the same in the index file and in the journal). */
    static IndexEntry entry(Path path, Index.Version v) {
        WireMessage.Change change = new WireMessage.Change(RelPath.of(path),
                v.state() == null ? WireMessage.Kind.DELETE : WireMessage.Kind.MODIFY, null, v.state(), v.vector(),
                null, v.takeover());
        return IndexEntry.newBuilder().setChange(ChangeCodec.encode(change)).setWriter(v.writer())
                .setDeletedAtMs(v.deletedAtMillis()).setSequence(v.sequence())
                .setInode(v.state() == null ? 0 : v.state().inode()).build();
    }

    /** A record back as an entry, validated like a peer's message. */
    static Map.Entry<Path, Index.Version> version(IndexEntry e) throws WireException {
        WireMessage.Change c = ChangeCodec.decode(e.getChange());
        return Map.entry(c.path().toPath(), new Index.Version(
                c.state() == null ? null : c.state().withInode(e.getInode()), c.version(), e.getWriter(),
                c.state() == null ? e.getDeletedAtMs() : 0, e.getSequence(), c.takeover()));
    }

    /** @throws WireException naming the record that is not valid */
    public static IndexLog.Snapshot read(Path file) throws IOException, WireException {
        Map<Path, Index.Version> entries = new HashMap<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            IndexHeader header = IndexHeader.parseDelimitedFrom(in);
            if (header == null || header.getFormat() != FORMAT) {
                throw new WireException("index " + file + " is not in format " + FORMAT);
            }
            Map<String, IndexLog.Position> peers = new HashMap<>();
            header.getPeersMap().forEach((peer, pos) ->
                    peers.put(peer, new IndexLog.Position(pos.getIndexId(), pos.getSequence())));
            IndexEntry e;
            while ((e = IndexEntry.parseDelimitedFrom(in)) != null) {
                try {
                    Map.Entry<Path, Index.Version> decoded = version(e);
                    entries.put(decoded.getKey(), decoded.getValue());
                } catch (IllegalArgumentException | WireException bad) {
                    throw new WireException("index record " + entries.size() + ": " + bad.getMessage());
                }
            }
            return new IndexLog.Snapshot(header.getIndexId(), header.getSequence(), header.getForgotten(), peers, entries);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new WireException("index " + file + " is damaged after " + entries.size() + " records: " + e.getMessage());
        }
    }
}
