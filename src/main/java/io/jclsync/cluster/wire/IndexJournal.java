package io.jclsync.cluster.wire;

import io.jclsync.cluster.wire.proto.IndexEntry;
import io.jclsync.state.Index;
import io.jclsync.state.IndexLog;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The index's journal: every change of an entry is appended (one length-delimited
 * {@code IndexEntry}, the index file's own record) to {@code index.journal.N} in the state dir
 * as it happens, and written through to the kernel at once. A node killed (SIGKILL, OOM) between
 * two saves of the whole index replays the journals over the saved index at start, so it never
 * takes a peer's change it applied for a change of its own. (A machine crash may lose the last
 * records that were not on disk yet: the index file itself is synced; these are not.)
 *
 * <p>When a snapshot is taken the journal rotates to N+1; once that snapshot is saved, journals
 * before N+1 are deleted. Replay takes every journal in order and keeps a record only if its index
 * sequence is newer than the saved entry's, so a journal the saved index already covers changes
 * nothing. A record torn by the crash ends its journal.
 */
public final class IndexJournal implements IndexLog.Journal, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(IndexJournal.class.getName());
    private static final String PREFIX = "index.journal.";

    private final Path dir;
    private long generation;
    private OutputStream out;
    private boolean failed;

    private IndexJournal(Path dir, long generation) {
        this.dir = dir;
        this.generation = generation;
    }

    /** Replays the journals in {@code dir} into {@code index} and opens the next one. */
    public static IndexJournal open(Path dir, Index index) throws IOException {
        long last = 0;
        int replayed = 0;
        for (Path f : journals(dir)) {
            last = Math.max(last, generationOf(f));
            replayed += replay(f, index);
        }
        if (replayed > 0) LOG.info("took " + replayed + " index change(s) back from the journal");
        IndexJournal j = new IndexJournal(dir, last + 1);
        j.out = j.openCurrent();
        return j;
    }

    private static int replay(Path file, Index index) throws IOException {
        int n = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            IndexEntry e;
            while ((e = IndexEntry.parseDelimitedFrom(in)) != null) {
                Map.Entry<Path, Index.Version> v = IndexCodec.version(e);
                index.log().replayed(v.getKey(), v.getValue());
                n++;
            }
        } catch (com.google.protobuf.InvalidProtocolBufferException | WireException | IllegalArgumentException torn) {
            LOG.warning("journal " + file + " ends with a damaged record after " + n + " (a crash while writing it); "
                    + "the records before it are taken");
        }
        return n;
    }

    private OutputStream openCurrent() throws IOException {
        return Files.newOutputStream(dir.resolve(PREFIX + generation), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    @Override
    public synchronized void put(Path path, Index.Version version) {
        if (failed) return;
        try {
            // Unbuffered: each record reaches the kernel now, so it survives the process.
            IndexCodec.entry(path, version).writeDelimitedTo(out);
        } catch (IOException e) {
            fail(e);
        }
    }

    @Override
    public synchronized void rotate() {
        if (failed) return;
        try {
            out.close();
            generation++;
            out = openCurrent();
        } catch (IOException e) {
            fail(e);
        }
    }

    /** The index snapshot taken at the last rotation is saved: the journals it covers go. */
    public synchronized void snapshotSaved() {
        try {
            for (Path f : journals(dir)) {
                if (generationOf(f) < generation) Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            LOG.warning("cannot delete old index journals in " + dir + ": " + e);
        }
    }

    private void fail(IOException e) {
        failed = true;
        LOG.warning("cannot write the index journal in " + dir + " (" + e + "); a crash before the next save of the "
                + "index may make this node take peers' changes it applied for its own (conflict copies, nothing lost)");
    }

    private static List<Path> journals(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, PREFIX + "*")) {
            for (Path f : s) {
                if (generationOf(f) >= 0) out.add(f);
            }
        }
        out.sort(Comparator.comparingLong(IndexJournal::generationOf));
        return out;
    }

    private static long generationOf(Path f) {
        try {
            return Long.parseLong(f.getFileName().toString().substring(PREFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            // nothing left to write
        }
    }
}
