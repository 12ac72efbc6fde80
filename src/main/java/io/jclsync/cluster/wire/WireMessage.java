package io.jclsync.cluster.wire;

import io.jclsync.fs.FileType;
import io.jclsync.fs.RelPath;
import java.util.List;
import java.util.Map;

/** What nodes say to each other: the decoded, validated form of {@code proto/jclsync.proto}. */
public sealed interface WireMessage {

    /**
     * @param sequences per origin, the highest batch sequence this node has applied
     */
    record Hello(String node, byte[] treeId, String transferEndpoint, Map<String, Long> sequences)
            implements WireMessage {
        public Hello {
            sequences = Map.copyOf(sequences);
            treeId = treeId.clone();
        }
    }

    /** @param fullState the origin's whole tree: receivers only fill in what they lack */
    record Batch(String origin, long sequence, List<Change> changes, boolean fullState) implements WireMessage {
        public Batch {
            changes = List.copyOf(changes);
        }
    }

    record CatchUpRequest(String origin, long afterSequence) implements WireMessage {}

    enum Kind { CREATE, MODIFY, DELETE, RENAME }

    /**
     * @param oldPath for {@link Kind#RENAME} only, otherwise null
     * @param state   null for {@link Kind#DELETE}
     * @param version the path's version vector after the change
     */
    record Change(RelPath path, Kind kind, RelPath oldPath, EntryState state, Map<String, Long> version) {
        public Change {
            version = Map.copyOf(version);
        }
    }

    /**
     * @param linkTarget raw symlink target (empty unless a symlink)
     * @param sha256     content digest of a regular file (empty otherwise)
     */
    record EntryState(FileType type, long size, long mtimeNanos, int mode, byte[] linkTarget, byte[] sha256) {
        public EntryState {
            linkTarget = linkTarget.clone();
            sha256 = sha256.clone();
        }
    }
}
