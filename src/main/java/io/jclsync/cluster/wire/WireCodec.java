package io.jclsync.cluster.wire;

import static io.jclsync.cluster.wire.ChangeCodec.counts;
import static io.jclsync.cluster.wire.ChangeCodec.node;
import static io.jclsync.cluster.wire.ChangeCodec.treePath;
import static io.jclsync.cluster.wire.ChangeCodec.vector;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.jclsync.cluster.wire.proto.Envelope;
import io.jclsync.fs.RelPath;
import io.jclsync.state.IndexLog;
import io.jclsync.state.ScopeState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import io.jclsync.cluster.wire.proto.CatchUpRequest;
import io.jclsync.cluster.wire.proto.ChangeBatch;
import io.jclsync.cluster.wire.proto.Hello;
import io.jclsync.cluster.wire.proto.IndexPart;
import io.jclsync.cluster.wire.proto.IndexPosition;
import io.jclsync.cluster.wire.proto.Progress;
import io.jclsync.cluster.wire.proto.ScopeSummary;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * Encodes {@link WireMessage}s as protobuf {@code Envelope}s and decodes what peers send, checking
 * every rule of PROTOCOL.md on the way in: a message that breaks one is rejected whole with a
 * {@link WireException} that says which rule, and nothing of it is used. Changes, and the fields
 * every message shares with them (paths, node names, version vectors), are {@link ChangeCodec}'s.
 */
public final class WireCodec {
    public static final int PROTOCOL_VERSION = 1;
    /** A hello's transfer key: a SHA-256 fingerprint. */
    public static final int TRANSFER_KEY_BYTES = 32;
    /** Largest encoded message accepted. */
    public static final int MAX_MESSAGE_BYTES = 16 << 20;
    /** Most changes in one batch. */
    public static final int MAX_CHANGES = 100_000;
    /** Most entries in a version vector or a sequence map (one per node). */
    public static final int MAX_NODES = 1024;
    /**
     * A transfer endpoint: host (name, IPv4, or IPv6 with or without brackets) and port. It goes
     * into an rsync URL, so nothing that could change the URL's user, module or path gets in.
     */
    private static final Pattern ENDPOINT = Pattern.compile("[A-Za-z0-9.:\\[\\]-]{1,255}:([0-9]{1,5})");
    /**
     * The node's private working dir below the root (staging, list files): never watched, never
     * served, and no peer may name it or anything below it, or it could plant a symlink where the
     * node writes pulled files.
     */
    public static final RelPath WORK_DIR = RelPath.of(new byte[] {'.', 'j', 'c', 'l', 's', 'y', 'n', 'c'});

    private WireCodec() {}

    public static byte[] encode(WireMessage message) {
        Envelope.Builder env = Envelope.newBuilder().setProtocolVersion(PROTOCOL_VERSION);
        if (message instanceof WireMessage.Hello h) {
            env.setHello(Hello.newBuilder()
                    .setNode(h.node()).setTreeId(ByteString.copyFrom(h.treeId()))
                    .setTransferEndpoint(h.transferEndpoint()).setIndexId(h.indexId())
                    .setTransferKey(ByteString.copyFrom(h.transferKey())));
        } else if (message instanceof WireMessage.Batch b) {
            ChangeBatch.Builder batch = ChangeBatch
                    .newBuilder().setTreeId(treeBytes(b.tree())).setOrigin(b.origin()).setSequence(b.sequence());
            for (WireMessage.Change c : b.changes()) batch.addChanges(ChangeCodec.encode(c));
            if (b.part() != null) {
                IndexPart.Builder part = IndexPart.newBuilder()
                        .setRequester(b.part().requester()).setIndexId(b.part().indexId())
                        .setThrough(b.part().through()).setLast(b.part().last());
                for (WireMessage.Scope s : b.part().scopes()) {
                    ScopeState st = s.state();
                    part.addScopes(ScopeSummary.newBuilder()
                            .setPath(ByteString.copyFrom(s.path().bytes())).putAllVersion(st.vector().asMap())
                            .setLatestMtimeNs(st.latestMtimeNanos()).setLatestWriter(st.latestWriter())
                            .setFiles(st.files()).setBytes(st.bytes()));
                }
                batch.setIndexPart(part);
            }
            env.setBatch(batch);
        } else if (message instanceof WireMessage.CatchUpRequest r) {
            CatchUpRequest.Builder req =
                    CatchUpRequest.newBuilder().setTreeId(treeBytes(r.tree()))
                            .setRequester(r.requester());
            r.since().forEach((peer, pos) -> req.putSince(peer, position(pos)));
            env.setCatchUpRequest(req);
        } else if (message instanceof WireMessage.Progress p) {
            env.setProgress(Progress.newBuilder().setTreeId(treeBytes(p.tree()))
                    .setNode(p.node()).putAllApplied(p.applied()));
        }
        return env.build().toByteArray();
    }

    static IndexPosition position(IndexLog.Position p) {
        return IndexPosition.newBuilder()
                .setIndexId(p.indexId()).setSequence(p.sequence()).build();
    }

    /** @throws WireException when {@code data} is not a valid message of this protocol version */
    public static WireMessage decode(byte[] data) throws WireException {
        if (data.length > MAX_MESSAGE_BYTES) {
            throw new WireException("message of " + data.length + " bytes exceeds the " + MAX_MESSAGE_BYTES + "-byte limit");
        }
        Envelope env;
        try {
            env = Envelope.parseFrom(data);
        } catch (InvalidProtocolBufferException e) {
            throw new WireException("not a jclsync message (malformed or truncated protobuf: " + e.getMessage() + ")");
        }
        if (env.getProtocolVersion() != PROTOCOL_VERSION) {
            throw new WireException("protocol version " + env.getProtocolVersion() + " (this node speaks "
                    + PROTOCOL_VERSION + ")");
        }
        return switch (env.getBodyCase()) {
            case HELLO -> hello(env.getHello());
            case BATCH -> batch(env.getBatch());
            case CATCH_UP_REQUEST -> catchUpRequest(env.getCatchUpRequest());
            case PROGRESS -> new WireMessage.Progress(tree(env.getProgress().getTreeId()), node(env.getProgress().getNode()),
                    counts(env.getProgress().getAppliedMap(), false));
            case BODY_NOT_SET -> throw new WireException("message without a body (or of a kind this version does not know)");
        };
    }

    private static WireMessage.Hello hello(Hello h) throws WireException {
        tree(h.getTreeId());
        String endpoint = h.getTransferEndpoint();
        if (!endpoint.isEmpty()) {
            Matcher m = ENDPOINT.matcher(endpoint);
            if (!m.matches() || Integer.parseInt(m.group(1)) < 1 || Integer.parseInt(m.group(1)) > 65535) {
                throw new WireException("transfer endpoint '" + endpoint.substring(0, Math.min(endpoint.length(), 300))
                        + "' is not host:port");
            }
        }
        int key = h.getTransferKey().size();
        if (endpoint.isEmpty() ? key != 0 : key != TRANSFER_KEY_BYTES) {
            throw new WireException(endpoint.isEmpty()
                    ? "a hello without a transfer endpoint carries a transfer key (" + key + " bytes)"
                    : "a hello's transfer key has " + key + " bytes, not " + TRANSFER_KEY_BYTES
                            + " (a node from before TLS transfers sends none)");
        }
        return new WireMessage.Hello(node(h.getNode()), h.getTreeId().toByteArray(), endpoint, h.getIndexId(),
                h.getTransferKey().toByteArray());
    }

    private static WireMessage.CatchUpRequest catchUpRequest(CatchUpRequest r)
            throws WireException {
        if (r.getSinceCount() > MAX_NODES) throw new WireException("catch-up request naming " + r.getSinceCount() + " peers");
        Map<String, IndexLog.Position> since = new HashMap<>();
        for (var e : r.getSinceMap().entrySet()) {
            since.put(node(e.getKey()), new IndexLog.Position(e.getValue().getIndexId(), e.getValue().getSequence()));
        }
        return new WireMessage.CatchUpRequest(tree(r.getTreeId()), node(r.getRequester()), since);
    }

    private static WireMessage.Batch batch(ChangeBatch b) throws WireException {
        String origin = node(b.getOrigin());
        if (b.getSequence() == 0) throw new WireException("batch from " + origin + " with sequence 0 (they start at 1)");
        if (b.getChangesCount() > MAX_CHANGES) {
            throw new WireException("batch from " + origin + " with " + b.getChangesCount() + " changes (max " + MAX_CHANGES + ")");
        }
        List<WireMessage.Change> changes = new ArrayList<>(b.getChangesCount());
        Set<RelPath> seen = new HashSet<>();
        for (int i = 0; i < b.getChangesCount(); i++) {
            WireMessage.Change c;
            try {
                c = ChangeCodec.decode(b.getChanges(i));
            } catch (WireException | IllegalArgumentException e) {
                throw new WireException("batch " + origin + "#" + b.getSequence() + ", change " + i + ": " + e.getMessage());
            }
            if (!seen.add(c.path())) {
                throw new WireException("batch " + origin + "#" + b.getSequence() + " names " + c.path() + " twice");
            }
            changes.add(c);
        }
        WireMessage.IndexPart part = null;
        if (b.hasIndexPart()) {
            var p = b.getIndexPart();
            for (WireMessage.Change c : changes) {
                if (c.kind() != WireMessage.Kind.MODIFY && c.kind() != WireMessage.Kind.DELETE) {
                    throw new WireException("catch-up answer from " + origin + " with a " + c.kind() + " of " + c.path());
                }
            }
            if (p.getScopesCount() > changes.size()) {
                throw new WireException("catch-up answer from " + origin + " with more scopes than changes");
            }
            List<WireMessage.Scope> scopes = new ArrayList<>(p.getScopesCount());
            for (var s : p.getScopesList()) {
                RelPath path;
                try {
                    path = treePath(s.getPath());
                } catch (WireException | IllegalArgumentException e) {
                    throw new WireException("catch-up answer from " + origin + ", scope: " + e.getMessage());
                }
                if (s.getFiles() < 0 || s.getBytes() < 0) throw new WireException("scope " + path + " counts exceed 2^63");
                String writer = s.getLatestWriter().isEmpty() ? "" : node(s.getLatestWriter());
                scopes.add(new WireMessage.Scope(path, new ScopeState(vector(s.getVersionMap()),
                        s.getLatestMtimeNs(), writer, s.getFiles(), s.getBytes())));
            }
            part = new WireMessage.IndexPart(node(p.getRequester()), p.getIndexId(), p.getThrough(), p.getLast(), scopes);
        }
        return new WireMessage.Batch(tree(b.getTreeId()), origin, b.getSequence(), changes, part);
    }

    /** A tree id: 1 to 64 bytes (jclsync's are 32, a SHA-256). */
    private static String tree(ByteString id) throws WireException {
        if (id.isEmpty() || id.size() > 64) throw new WireException("tree id of " + id.size() + " bytes (1-64)");
        return HexFormat.of().formatHex(id.toByteArray());
    }

    private static ByteString treeBytes(String hex) {
        return ByteString.copyFrom(HexFormat.of().parseHex(hex));
    }

    /** Whether {@code name} is a valid node name: 1-64 of A-Z a-z 0-9 . _ -, starting alphanumeric. */
    public static boolean isNodeName(String name) {
        return ChangeCodec.isNodeName(name);
    }
}
