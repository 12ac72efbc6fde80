package io.jclsync.replica;

import io.jclsync.apply.Counters;
import io.jclsync.cluster.wire.WireMessage;
import io.jclsync.echo.EchoFilter;
import io.jclsync.filter.Filter;
import io.jclsync.fs.FileType;
import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import io.jclsync.state.FileStates;
import io.jclsync.state.Index;
import io.jclsync.state.VersionVector;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * A subtree of the tree compared with the index, for the {@link Announcer}: a directory entry of a
 * batch (what was made or changed below it) or a full scan (at start, after an overflow or
 * SIGHUP), which also finds what was deleted without an event.
 */
final class TreeWalk {
    private static final Logger LOG = Logger.getLogger(TreeWalk.class.getName());

    private final Path root;
    private final Supplier<Filter> filter;
    private final EchoFilter echoes;
    private final Counters counters;
    private final Index versions;
    private final LocalStates states;

    TreeWalk(Path root, Supplier<Filter> filter, EchoFilter echoes, Counters counters, Index versions, LocalStates states) {
        this.root = root;
        this.filter = filter;
        this.echoes = echoes;
        this.counters = counters;
        this.versions = versions;
        this.states = states;
    }

    /**
     * Announces everything below {@code relDir} (parents before children) that is not in {@code done}
     * yet (a path may appear once per batch; updated). {@code all}: a scan of
     * the whole tree (at start, after an overflow or SIGHUP) that reconciles it with the index:
     * only what differs from the index is a change (no echo check), new paths are local changes
     * (except in a new node's first scan, which only observes), and indexed paths no longer found
     * are deleted, except below directories that could not be read. Peers learn the rest of the
     * index by asking for it (catch-up). {@code movedByPeer}: {@code relDir} is where a peer's rename
     * applied here moved a directory; what is below it as the index holds it moved with it (the
     * applier carried its entries), anything else was made or changed here meanwhile.
     */
    void walk(Path relDir, List<WireMessage.Change> out, boolean all, boolean movedByPeer, Set<Path> done)
            throws IOException {
        Path start = root.resolve(relDir);
        if (!Files.isDirectory(start, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        Filter f = filter.get();
        Set<Path> seen = new HashSet<>();
        Set<Path> unreadable = new HashSet<>();
        // Taken before the walk: what a peer's change adds to the index meanwhile is not ours to tombstone.
        Map<Path, Index.Version> before = relDir.toString().isEmpty() ? versions.all() : versions.entriesBelow(relDir);
        boolean firstScan = all && versions.fresh();
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
                    unreadable.add(root.relativize(file));
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            private void add(Path rel) throws IOException {
                if (!done.add(rel)) { // already in this batch (a rename's target below a new directory)
                    seen.add(rel);
                    return;
                }
                Index.Version known = versions.get(rel);
                FileState state = states.readable(rel, known != null ? known.state() : states.hint(rel));
                if (state == LocalStates.UNREADABLE) {
                    unreadable.add(rel);
                    return;
                }
                if (state == null) return;
                seen.add(rel);
                if (!all && echoes.isEcho(rel, state)) {
                    counters.echoesSuppressed.incrementAndGet();
                    return;
                }
                if (movedByPeer && known != null && FileStates.same(known.state(), state)) return;
                VersionVector vv;
                if (!all) {
                    vv = versions.localChange(rel, state);
                } else if (known == null ? !firstScan : !FileStates.same(known.state(), state)) {
                    vv = versions.foundChanged(rel, state);
                } else {
                    if (known == null) versions.observed(rel, state);
                    return; // as indexed: peers have it, or take it when they catch up
                }
                out.add(new WireMessage.Change(RelPath.of(rel), WireMessage.Kind.MODIFY, null, state, vv));
            }
        });
        if (firstScan && relDir.toString().isEmpty()) versions.scanned();
        // Indexed below the walked directory, gone from it: moved away or deleted without an event
        // of its own here (the directory was renamed away and a peer's write made it again, an
        // overflow, changes while jclsync was down).
        for (Map.Entry<Path, Index.Version> e : before.entrySet()) {
            Path p = e.getKey();
            if (e.getValue().state() == null || seen.contains(p) || below(p, unreadable)
                    || !included(f, p, e.getValue().state()) || done.contains(p)) {
                continue;
            }
            if (Files.exists(root.resolve(p), java.nio.file.LinkOption.NOFOLLOW_LINKS)) continue; // created during the walk
            // Checked and tombstoned in one step: a peer's change applied meanwhile is not this node's delete.
            VersionVector vv = versions.localDeleteIfUnchanged(p, e.getValue());
            if (vv == null) continue; // changed during the walk: its own events announce it
            echoes.forget(p);
            done.add(p);
            out.add(new WireMessage.Change(RelPath.of(p), WireMessage.Kind.DELETE, null, null, vv));
        }
    }

    private static boolean below(Path p, Set<Path> dirs) {
        for (Path q = p; q != null; q = q.getParent()) if (dirs.contains(q)) return true;
        return false;
    }

    /** Whether the rules (still) sync {@code p}: an indexed path the rules now exclude is left alone. */
    private static boolean included(Filter f, Path p, FileState state) {
        for (Path q = p.getParent(); q != null; q = q.getParent()) if (!f.walks(q)) return false;
        return f.accepts(p, state == null ? FileType.FILE : state.type());
    }
}
