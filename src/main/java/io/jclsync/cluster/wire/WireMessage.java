package io.jclsync.cluster.wire;

import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import io.jclsync.state.Index;
import io.jclsync.state.IndexLog;
import io.jclsync.state.ScopeState;
import io.jclsync.state.VersionVector;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * What nodes say to each other: the decoded, validated form of {@code proto/jclsync.proto}. Tree
 * ids ({@code tree}) are in hex: one process may serve several trees over one channel.
 */
public sealed interface WireMessage {

    /**
     * @param indexId     the sender's current index id
     * @param transferKey the SHA-256 fingerprint of the key the sender's transfer listener presents
     *                    and its pulls present ({@link WireCodec#TRANSFER_KEY_BYTES}); empty without an endpoint
     */
    record Hello(String node, byte[] treeId, String transferEndpoint, long indexId, byte[] transferKey)
            implements WireMessage {
        public Hello {
            treeId = treeId.clone();
            transferKey = transferKey.clone();
        }

        /** A hello of a member that serves nothing (`jclsync members`). */
        public static Hello servingNothing(String node, byte[] treeId) {
            return new Hello(node, treeId, "", 0, new byte[0]);
        }

        @Override
        public byte[] transferKey() {
            return transferKey.clone();
        }

        /** The tree id as the other messages carry it. */
        public String tree() {
            return HexFormat.of().formatHex(treeId);
        }
    }

    /**
     * Changes from {@code origin}: live ones (part null), or a part of its answer to a catch-up
     * request, whose changes are entries of its index.
     */
    record Batch(String tree, String origin, long sequence, List<Change> changes, IndexPart part) implements WireMessage {
        public Batch {
            changes = List.copyOf(changes);
        }

        public Batch(String tree, String origin, long sequence, List<Change> changes) {
            this(tree, origin, sequence, changes, null);
        }
    }

    /**
     * @param through the origin's index sequence the answer is complete up to (once {@code last})
     * @param scopes  with subtree conflict scope: what the origin has below each subtree this part touches
     */
    record IndexPart(String requester, long indexId, long through, boolean last, List<Scope> scopes) {
        public IndexPart {
            scopes = List.copyOf(scopes);
        }

        public IndexPart(String requester, long indexId, long through, boolean last) {
            this(requester, indexId, through, last, List.of());
        }
    }

    /** What a node has below one conflict scope (a subtree). */
    record Scope(RelPath path, ScopeState state) {}

    /** @param since per peer to answer: how far the requester has that peer's index */
    record CatchUpRequest(String tree, String requester, Map<String, IndexLog.Position> since) implements WireMessage {
        public CatchUpRequest {
            since = Map.copyOf(since);
        }
    }

    /** @param applied per origin: the highest sequence of its live batches {@code node} has applied */
    record Progress(String tree, String node, Map<String, Long> applied) implements WireMessage {
        public Progress {
            applied = Map.copyOf(applied);
        }
    }

    enum Kind { CREATE, MODIFY, DELETE, RENAME }

    /**
     * @param oldPath for {@link Kind#RENAME} only, otherwise null
     * @param state   null for {@link Kind#DELETE}
     * @param version the path's version vector after the change
     * @param writer  the node that wrote this version; null: the batch's origin
     * @param takeover this version won a subtree conflict: a node whose subtree it replaces keeps its own aside first
     */
    record Change(RelPath path, Kind kind, RelPath oldPath, FileState state, VersionVector version,
                  String writer, boolean takeover) {
        public Change {
            Objects.requireNonNull(version, "version");
        }

        public Change(RelPath path, Kind kind, RelPath oldPath, FileState state, VersionVector version,
                      String writer) {
            this(path, kind, oldPath, state, version, writer, false);
        }

        /** An entry of an index as a change: MODIFY with its state, or DELETE for a tombstone. */
        public static Change of(Path path, Index.Version v) {
            return new Change(RelPath.of(path), v.state() == null ? Kind.DELETE : Kind.MODIFY, null, v.state(), v.vector(),
                    v.writer(), v.takeover());
        }

        public Change(RelPath path, Kind kind, RelPath oldPath, FileState state, VersionVector version) {
            this(path, kind, oldPath, state, version, null);
        }

        /** {@code head} then the first 50 of {@code changes}, one a line, as the debug log shows them. */
        public static String describe(String head, List<Change> changes) {
            StringBuilder what = new StringBuilder(head);
            for (Change c : changes.subList(0, Math.min(changes.size(), 50))) {
                what.append("\n  ").append(c.kind().name().toLowerCase()).append(' ').append(c.path())
                        .append(c.oldPath() == null ? "" : " from " + c.oldPath()).append(' ').append(c.version());
            }
            if (changes.size() > 50) what.append("\n  ...");
            return what.toString();
        }
    }
}
