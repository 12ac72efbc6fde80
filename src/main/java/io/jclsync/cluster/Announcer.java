package io.jclsync.cluster;

import io.jclsync.batch.Batch;
import io.jclsync.batch.ChangeKind;
import io.jclsync.cluster.wire.WireMessage;
import io.jclsync.filter.Filter;
import io.jclsync.fs.FileType;
import io.jclsync.fs.RelPath;
import io.jclsync.sync.Outcome;
import io.jclsync.sync.Transfer;
import io.jclsync.sync.TransferResult;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The cluster mode's transfer: turns a local batch into announcements. Each path's state is read
 * (and files hashed) now; paths whose state is what a peer's change just produced are echoes and
 * are dropped. A directory entry stands for its whole subtree, which is walked.
 */
final class Announcer implements Transfer {
    private static final Logger LOG = Logger.getLogger(Announcer.class.getName());
    static final int CHANGES_PER_MESSAGE = 10_000;

    interface Sender {
        void send(WireMessage.Batch batch) throws Exception;
    }

    private final Path root;
    private final String node;
    private final Supplier<Filter> filter;
    private final EchoFilter echoes;
    private final Counters counters;
    private final Sender sender;
    private final PathVersions versions;
    private long sequence;

    Announcer(Path root, String node, Supplier<Filter> filter, EchoFilter echoes, Counters counters,
              PathVersions versions, Sender sender) {
        this.versions = versions;
        this.root = root;
        this.node = node;
        this.filter = filter;
        this.echoes = echoes;
        this.counters = counters;
        this.sender = sender;
    }

    @Override
    public TransferResult run(Batch batch) throws InterruptedException {
        List<WireMessage.Change> changes = new ArrayList<>();
        try {
            if (batch.full()) {
                walk(Path.of(""), changes, true);
            } else {
                Set<Path> done = new HashSet<>();
                Set<Path> echoedRenames = new HashSet<>();
                for (Batch.Rename r : batch.renames()) rename(r, changes, done, echoedRenames);
                for (Batch.Entry e : batch.entries()) {
                    if (done.add(e.path())) entry(e.path(), e.kind(), changes);
                    // A directory a peer renamed here moved with its contents: nothing below to announce.
                    if (e.isDirectory() && !echoedRenames.contains(e.path())) walk(e.path(), changes, false);
                }
            }
            for (int from = 0; from < changes.size() || (from == 0 && batch.full()); from += CHANGES_PER_MESSAGE) {
                List<WireMessage.Change> part = changes.subList(from, Math.min(changes.size(), from + CHANGES_PER_MESSAGE));
                if (part.isEmpty() && !batch.full()) break;
                sender.send(new WireMessage.Batch(node, ++sequence, part, batch.full()));
                counters.batchesAnnounced.incrementAndGet();
                counters.changesAnnounced.addAndGet(part.size());
                if (part.isEmpty()) break;
            }
            counters.save();
            return TransferResult.ok(0, 0, 0);
        } catch (IOException e) {
            return new TransferResult(Outcome.RETRY, -1, 0, 0, 0, "cannot read local state: " + e.getMessage());
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return new TransferResult(Outcome.RETRY, -1, 0, 0, 0, "cannot announce to the cluster: " + e);
        }
    }

    private void rename(Batch.Rename r, List<WireMessage.Change> out, Set<Path> done, Set<Path> echoed)
            throws IOException {
        WireMessage.EntryState state = FileStates.of(root.resolve(r.to()));
        if (state == null || !filter.get().accepts(r.to(), state.type())) return;
        if (echoes.isEcho(r.to(), state)) {
            echoed.add(r.to());
            counters.echoesSuppressed.incrementAndGet();
        } else {
            versions.localChange(r.from(), null);
            out.add(new WireMessage.Change(RelPath.of(r.to()), WireMessage.Kind.RENAME, RelPath.of(r.from()), state,
                    versions.localChange(r.to(), state)));
        }
        // The old path is still looked at as an entry: something new may have taken its place.
        done.add(r.to());
    }

    private void entry(Path rel, ChangeKind kind, List<WireMessage.Change> out) throws IOException {
        WireMessage.EntryState state = FileStates.of(root.resolve(rel));
        if (echoes.isEcho(rel, state)) {
            counters.echoesSuppressed.incrementAndGet();
            return;
        }
        if (state == null) {
            out.add(new WireMessage.Change(RelPath.of(rel), WireMessage.Kind.DELETE, null, null,
                    versions.localChange(rel, null)));
        } else if (filter.get().accepts(rel, state.type())) {
            WireMessage.Kind k = kind == ChangeKind.CREATE ? WireMessage.Kind.CREATE : WireMessage.Kind.MODIFY;
            out.add(new WireMessage.Change(RelPath.of(rel), k, null, state, versions.localChange(rel, state)));
        }
    }

    /** Announces everything below {@code relDir} (parents before children); {@code all}: no echo check. */
    private void walk(Path relDir, List<WireMessage.Change> out, boolean all) throws IOException {
        Path start = root.resolve(relDir);
        if (!Files.isDirectory(start, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        Filter f = filter.get();
        Files.walkFileTree(start, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (dir.equals(start)) return FileVisitResult.CONTINUE;
                Path rel = root.relativize(dir);
                if (!f.walks(rel)) return FileVisitResult.SKIP_SUBTREE;
                add(rel);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path rel = root.relativize(file);
                FileType type = FileType.of(attrs);
                if (type != FileType.SPECIAL && f.accepts(rel, type)) add(rel);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof AccessDeniedException || e instanceof java.nio.file.NoSuchFileException) {
                    LOG.fine(() -> "not announcing " + file + ": " + e);
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            private void add(Path rel) throws IOException {
                WireMessage.EntryState state = FileStates.of(root.resolve(rel));
                if (state == null) return;
                if (!all && echoes.isEcho(rel, state)) {
                    counters.echoesSuppressed.incrementAndGet();
                    return;
                }
                Map<String, Long> vv = all ? versions.observed(rel, state) : versions.localChange(rel, state);
                out.add(new WireMessage.Change(RelPath.of(rel), WireMessage.Kind.MODIFY, null, state, vv));
            }
        });
    }
}
