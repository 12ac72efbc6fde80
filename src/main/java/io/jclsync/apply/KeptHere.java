package io.jclsync.apply;

import io.jclsync.cluster.wire.WireMessage;
import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import io.jclsync.state.FileStates;
import io.jclsync.state.Index;
import io.jclsync.state.VersionVector;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * What applying peers' batches made here that this node announces as changes of its own:
 * conflict copies (copied aside, or pulled), what stayed against a peer's delete, and the outcome
 * of each decision between concurrent versions once it is settled in place. Collected on the
 * apply thread and taken by the announcer after each batch.
 */
final class KeptHere {
    private static final Logger LOG = Logger.getLogger(KeptHere.class.getName());
    private final LocalTree tree;
    private final Index versions;
    private final List<WireMessage.Change> changes = new ArrayList<>();
    /** Paths whose conflict the batch decided here, with the peer's version: announced once settled. */
    private final Map<RelPath, VersionVector> settled = new LinkedHashMap<>();

    KeptHere(LocalTree tree, Index versions) {
        this.tree = tree;
        this.versions = versions;
    }

    void add(WireMessage.Change change) {
        changes.add(change);
    }

    void addAll(List<WireMessage.Change> kept) {
        changes.addAll(kept);
    }

    /** A decision between the peer's {@code version} and ours at {@code path}: announced once settled. */
    void decided(RelPath path, VersionVector version) {
        settled.put(path, version);
    }

    /**
     * Announces a conflict copy made here (copied aside, or pulled), with what the batch keeps,
     * instead of leaving it to the watcher: the watcher can miss it (its directory moving in a
     * rename at the same time was seen once), and then no other node would ever have it.
     */
    void copy(RelPath aside, FileState hint) throws IOException {
        FileState st = tree.state(aside, hint);
        if (st == null) return;
        tree.alreadyHere(aside, st);
        changes.add(new WireMessage.Change(aside, WireMessage.Kind.MODIFY, null, st, versions.localChange(aside.toPath(), st)));
    }

    /**
     * Announces each path whose conflict this batch decided and settled here (its index entry
     * covers the peer's version and is what the path holds) as a new version of this node's, with
     * the winner's writer: every node that decides a conflict makes the outcome a version of its
     * own, newer than everything it merged (see {@link Index#resolved}). Where the same outcome was
     * reached elsewhere, the two meet as the same content; where another node's decision differs
     * (it decided another pair), the two outcomes conflict once more and are decided alike on
     * both sides. A path not settled (a pull failed) is decided again when its version comes back.
     */
    void announceSettled() {
        for (Map.Entry<RelPath, VersionVector> e : settled.entrySet()) {
            Path rel = e.getKey().toPath();
            Index.Version v = versions.get(rel);
            if (v == null || v.state() == null || !v.vector().covers(e.getValue())) continue;
            try {
                FileState st = tree.state(e.getKey(), v.state());
                if (st == null || !FileStates.same(st, v.state())) continue; // changed here since: the watcher's
                VersionVector vv = versions.resolved(rel);
                changes.add(new WireMessage.Change(e.getKey(), WireMessage.Kind.MODIFY, null, st, vv, v.writer()));
            } catch (IOException ex) {
                LOG.fine("not announcing " + e.getKey() + ", whose conflict was decided here: " + ex);
            }
        }
        settled.clear();
    }

    /**
     * What the batches applied so far kept here, to announce, each path once (the last added: the
     * newest, since each is a version the index held then); cleared. A batch that names a path twice
     * is refused whole by its receivers (chaos cluster seed 213: a directory kept against two
     * peers' deletes before the announcer took it).
     */
    List<WireMessage.Change> take() {
        Map<RelPath, WireMessage.Change> last = new LinkedHashMap<>();
        for (WireMessage.Change c : changes) {
            last.remove(c.path());
            last.put(c.path(), c);
        }
        List<WireMessage.Change> out = new ArrayList<>(last.values());
        // A directory before what is below it: a node where it is a file by now refuses an entry
        // below it that comes first (chaos cluster seed 188).
        out.sort(Comparator.comparing(WireMessage.Change::path, RelPath.PARENTS_FIRST));
        changes.clear();
        return out;
    }
}
