package io.jclsync.cluster.wire;

import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import io.jclsync.state.Index;
import java.util.List;
import java.util.Map;

/** What nodes say to each other: the decoded, validated form of {@code proto/jclsync.proto}. */
public sealed interface WireMessage {

    /** @param indexId the sender's current index id */
    record Hello(String node, byte[] treeId, String transferEndpoint, long indexId) implements WireMessage {
        public Hello {
            treeId = treeId.clone();
        }
    }

    /**
     * Changes from {@code origin}: live ones (part null), or a part of its answer to a catch-up
     * request, whose changes are entries of its index.
     */
    record Batch(String origin, long sequence, List<Change> changes, IndexPart part) implements WireMessage {
        public Batch {
            changes = List.copyOf(changes);
        }

        public Batch(String origin, long sequence, List<Change> changes) {
            this(origin, sequence, changes, null);
        }
    }

    /**
     * @param through the origin's index sequence the answer is complete up to (once {@code last})
     */
    record IndexPart(String requester, long indexId, long through, boolean last) {}

    /** @param since per peer to answer: how far the requester has that peer's index */
    record CatchUpRequest(String requester, Map<String, Index.Position> since) implements WireMessage {
        public CatchUpRequest {
            since = Map.copyOf(since);
        }
    }

    enum Kind { CREATE, MODIFY, DELETE, RENAME }

    /**
     * @param oldPath for {@link Kind#RENAME} only, otherwise null
     * @param state   null for {@link Kind#DELETE}
     * @param version the path's version vector after the change
     * @param writer  the node that wrote this version; null: the batch's origin
     */
    record Change(RelPath path, Kind kind, RelPath oldPath, FileState state, Map<String, Long> version,
                  String writer) {
        public Change {
            version = Map.copyOf(version);
        }

        public Change(RelPath path, Kind kind, RelPath oldPath, FileState state, Map<String, Long> version) {
            this(path, kind, oldPath, state, version, null);
        }
    }
}
