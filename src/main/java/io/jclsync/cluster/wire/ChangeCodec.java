package io.jclsync.cluster.wire;

import com.google.protobuf.ByteString;
import io.jclsync.cluster.wire.proto.Change;
import io.jclsync.cluster.wire.proto.ChangeKind;
import io.jclsync.fs.FileType;
import io.jclsync.fs.RelPath;
import io.jclsync.state.ContentVersion;
import io.jclsync.state.FileState;
import io.jclsync.state.VersionVector;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One change (path, kind, old path, file state, version vector, writer) to protobuf and back, and
 * the field rules every message shares with it: tree paths, node names, version vectors. Each
 * rule of PROTOCOL.md is checked on the way in and named in the {@link WireException}. Used by
 * {@link WireCodec} for batches and by {@link IndexCodec} for the index file and journal.
 */
final class ChangeCodec {
    private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final int SHA256_BYTES = 32;

    private ChangeCodec() {}

    /** Whether {@code name} is a valid node name: 1-64 of A-Z a-z 0-9 . _ -, starting alphanumeric. */
    static boolean isNodeName(String name) {
        return NODE_NAME.matcher(name).matches();
    }

    static Change encode(WireMessage.Change c) {
        Change.Builder b = Change.newBuilder()
                .setPath(ByteString.copyFrom(c.path().bytes()))
                .setKind(ChangeKind.forNumber(c.kind().ordinal() + 1))
                .putAllVersion(c.version().asMap());
        if (c.writer() != null) b.setWriter(c.writer());
        if (c.takeover()) b.setTakeover(true);
        if (c.oldPath() != null) b.setOldPath(ByteString.copyFrom(c.oldPath().bytes()));
        if (c.state() != null) {
            FileState s = c.state();
            io.jclsync.cluster.wire.proto.FileState.Builder fs = io.jclsync.cluster.wire.proto.FileState.newBuilder()
                    .setType(wireType(s.type())).setSize(s.size()).setMtimeNs(s.mtimeNanos()).setMode(s.mode())
                    .setSymlinkTarget(ByteString.copyFrom(s.linkTarget()));
            if (s.sha256().length > 0) fs.setHashAlgorithm("sha256").setContentHash(ByteString.copyFrom(s.sha256()));
            b.setState(fs);
        }
        return b.build();
    }

    /** @throws WireException naming the rule {@code c} breaks */
    static WireMessage.Change decode(Change c) throws WireException {
        RelPath path = treePath(c.getPath());
        WireMessage.Kind kind = switch (c.getKind()) {
            case CHANGE_KIND_CREATE -> WireMessage.Kind.CREATE;
            case CHANGE_KIND_MODIFY -> WireMessage.Kind.MODIFY;
            case CHANGE_KIND_DELETE -> WireMessage.Kind.DELETE;
            case CHANGE_KIND_RENAME -> WireMessage.Kind.RENAME;
            default -> throw new WireException("unknown change kind " + c.getKindValue());
        };
        RelPath oldPath = null;
        if (kind == WireMessage.Kind.RENAME) oldPath = treePath(c.getOldPath());
        else if (!c.getOldPath().isEmpty()) throw new WireException("old_path set on a " + kind + " of " + path);
        FileState state = null;
        if (kind != WireMessage.Kind.DELETE) {
            if (!c.hasState()) throw new WireException(kind + " of " + path + " without a state");
            state = state(c.getState(), path);
        }
        String writer = c.getWriter().isEmpty() ? null : node(c.getWriter());
        return new WireMessage.Change(path, kind, oldPath, state, vector(c.getVersionMap()), writer, c.getTakeover());
    }

    /**
     * A path a peer names: one {@link RelPath} accepts (inside the tree) and not the node's
     * working dir.
     *
     * @throws IllegalArgumentException when it leaves the tree (the {@link RelPath} rule)
     */
    static RelPath treePath(ByteString raw) throws WireException {
        RelPath path = RelPath.of(raw.toByteArray());
        if (path.startsWith(WireCodec.WORK_DIR)) {
            throw new WireException("path " + path + " in the node's working dir " + WireCodec.WORK_DIR + "/");
        }
        return path;
    }

    /** A file state: the wire type's own name is taken by {@link FileState}, hence the qualified names. */
    private static FileState state(io.jclsync.cluster.wire.proto.FileState s, RelPath path) throws WireException {
        FileType type = switch (s.getType()) {
            case FILE_TYPE_FILE -> FileType.FILE;
            case FILE_TYPE_DIRECTORY -> FileType.DIRECTORY;
            case FILE_TYPE_SYMLINK -> FileType.SYMLINK;
            default -> throw new WireException("unknown file type " + s.getTypeValue() + " for " + path);
        };
        if ((s.getMode() & ~07777) != 0) throw new WireException("mode " + Integer.toOctalString(s.getMode()) + " of " + path);
        if (s.getSize() < 0) throw new WireException("size of " + path + " exceeds 2^63");
        byte[] hash = s.getContentHash().toByteArray();
        if (type == FileType.FILE) {
            if (!"sha256".equals(s.getHashAlgorithm()) || hash.length != SHA256_BYTES) {
                throw new WireException("file " + path + " needs a 32-byte sha256 content hash, got "
                        + s.getHashAlgorithm() + "/" + hash.length + " bytes");
            }
        } else if (hash.length != 0) {
            throw new WireException("content hash on a " + type + " (" + path + ")");
        }
        byte[] target = s.getSymlinkTarget().toByteArray();
        if (type == FileType.SYMLINK) {
            if (target.length == 0 || target.length > RelPath.MAX_BYTES) throw new WireException("symlink " + path + " target length " + target.length);
            for (byte b : target) if (b == 0) throw new WireException("symlink " + path + " target with a NUL byte");
        } else if (target.length != 0) {
            throw new WireException("symlink target on a " + type + " (" + path + ")");
        }
        return new FileState(type, s.getSize(), s.getMtimeNs(), s.getMode(), target, hash);
    }

    static String node(String name) throws WireException {
        if (!isNodeName(name)) {
            throw new WireException("bad node name '" + name + "' (1-64 of A-Z a-z 0-9 . _ -, starting alphanumeric)");
        }
        return name;
    }

    /** A version vector: node names, and content keys for content found by a first scan ({@link ContentVersion}). */
    static VersionVector vector(Map<String, Long> raw) throws WireException {
        return VersionVector.of(counts(raw, true));
    }

    /** @param contentKeys whether content keys ({@link ContentVersion}) may stand where node names do */
    static Map<String, Long> counts(Map<String, Long> raw, boolean contentKeys) throws WireException {
        if (raw.size() > WireCodec.MAX_NODES) {
            throw new WireException(raw.size() + " entries in a version vector (max " + WireCodec.MAX_NODES + ")");
        }
        Map<String, Long> out = new HashMap<>();
        for (Map.Entry<String, Long> e : raw.entrySet()) {
            out.put(contentKeys && ContentVersion.isKey(e.getKey()) ? e.getKey() : node(e.getKey()), e.getValue());
        }
        return out;
    }

    private static io.jclsync.cluster.wire.proto.FileType wireType(FileType t) {
        return switch (t) {
            case FILE -> io.jclsync.cluster.wire.proto.FileType.FILE_TYPE_FILE;
            case DIRECTORY -> io.jclsync.cluster.wire.proto.FileType.FILE_TYPE_DIRECTORY;
            case SYMLINK -> io.jclsync.cluster.wire.proto.FileType.FILE_TYPE_SYMLINK;
            case SPECIAL -> throw new IllegalArgumentException("special files are never announced");
        };
    }
}
