package io.jclsync.cluster.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import io.jclsync.cluster.wire.proto.Change;
import io.jclsync.cluster.wire.proto.Envelope;
import io.jclsync.fs.FileType;
import io.jclsync.fs.RelPath;
import io.jclsync.state.FileState;
import io.jclsync.state.IndexLog;
import io.jclsync.state.ScopeState;
import io.jclsync.state.VersionVector;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import io.jclsync.cluster.TreeId;
import io.jclsync.cluster.wire.proto.ChangeKind;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A seeded fuzzer for {@link WireCodec#decode}: valid frames mutated (bit flips, byte changes,
 * truncation, splices of two frames, varint garbage, huge length prefixes, hostile paths swapped
 * in at the protobuf level) and random frames. For each, the decoder MUST either throw a
 * {@link WireException} or return a message that passes {@link #check}, an independent
 * re-statement of PROTOCOL.md's rules (paths inside the tree and not in {@code .jclsync/}, states
 * complete, names valid, limits kept), and that encodes and decodes again.
 *
 * <p>{@code -Djclsync.fuzz.frames=N} (default 10,000) and {@code -Djclsync.fuzz.seed=S} (default
 * 13) set the run; each frame is made from its own seed, printed on failure, and
 * {@code -Djclsync.fuzz.replay=FRAME_SEED} runs that one frame alone. The long run is
 * {@code scripts/fuzz-wire} (10^6 frames).
 */
class WireCodecFuzzTest {
    private static final String TREE = HexFormat.of().formatHex(TreeId.of("it"));
    /** Path components a peer might try, next to ordinary and odd names. */
    private static final String[] COMPONENTS = {"a", "dir", "f.txt", ".jclsync", "incoming", "1.list", ".", "..", "",
            ".jclsync2", "n\u00e9", "x y", "\\", ".sync-conflicts"};

    private record Outcome(boolean accepted) {}

    @Test
    void noFrameEscapesTheDecoderOrIsAcceptedInvalid() {
        String replay = System.getProperty("jclsync.fuzz.replay");
        if (replay != null) {
            run(Long.parseLong(replay));
            return;
        }
        long seed = Long.getLong("jclsync.fuzz.seed", 13);
        long frames = Long.getLong("jclsync.fuzz.frames", 10_000);
        Random seeds = new Random(seed);
        long accepted = 0;
        for (long i = 0; i < frames; i++) {
            if (run(seeds.nextLong()).accepted()) accepted++;
        }
        System.out.printf("wire fuzz: seed %d, %d frames, %d accepted, %d rejected%n", seed, frames, accepted, frames - accepted);
        // A fuzzer whose frames all bounce off the protobuf parser tests nothing past it.
        assertTrue(accepted > frames / 20, "only " + accepted + " of " + frames + " frames decoded: the mutations are too blunt");
    }

    /** Decodes the frame made from {@code frameSeed}; fails, naming the seed, on any escape or invalid acceptance. */
    private static Outcome run(long frameSeed) {
        byte[] frame = frame(new Random(frameSeed));
        WireMessage m;
        try {
            m = WireCodec.decode(frame);
        } catch (WireException rejected) {
            return new Outcome(false);
        } catch (Throwable escaped) {
            throw new AssertionError(replayHint(frameSeed, frame) + ": " + escaped + " escaped the decoder", escaped);
        }
        try {
            check(m);
            WireCodec.decode(WireCodec.encode(m));
        } catch (Throwable invalid) {
            throw new AssertionError(replayHint(frameSeed, frame) + ": accepted but invalid: " + invalid.getMessage(), invalid);
        }
        return new Outcome(true);
    }

    private static String replayHint(long frameSeed, byte[] frame) {
        String hex = HexFormat.of().formatHex(frame, 0, Math.min(frame.length, 256));
        return "frame seed " + frameSeed + " (replay: ./mvnw -B test -Dtest=WireCodecFuzzTest -Djclsync.fuzz.replay="
                + frameSeed + "), " + frame.length + " bytes: " + hex + (frame.length > 256 ? "..." : "");
    }

    // ---- frames ----

    static byte[] frame(Random r) {
        int how = r.nextInt(100);
        if (how < 12) return valid(r);
        if (how < 40) return hostile(r);
        if (how < 88) return mutate(r, valid(r));
        return random(r);
    }

    private static byte[] random(Random r) {
        byte[] b = new byte[r.nextInt(r.nextBoolean() ? 16 : 2048)];
        r.nextBytes(b);
        if (b.length > 2 && r.nextBoolean()) { // protocol_version 1 first, so the rest reaches the body
            b[0] = 0x08;
            b[1] = 0x01;
        }
        return b;
    }

    /** Byte-level damage, one to three times. */
    private static byte[] mutate(Random r, byte[] f) {
        for (int n = 1 + r.nextInt(3); n > 0 && f.length > 0; n--) {
            int at = r.nextInt(f.length);
            switch (r.nextInt(7)) {
                case 0 -> f[at] ^= (byte) (1 << r.nextInt(8));
                case 1 -> f[at] = (byte) r.nextInt(256);
                case 2 -> f = Arrays.copyOf(f, at);
                case 3 -> f = concat(Arrays.copyOf(f, at), tail(valid(r), r));
                case 4 -> f = insert(f, at, varintGarbage(r));
                case 5 -> f = insert(f, at, hugeLength(r));
                default -> f = insert(f, at, Arrays.copyOfRange(f, at, Math.min(f.length, at + 1 + r.nextInt(16))));
            }
        }
        return f;
    }

    private static byte[] tail(byte[] f, Random r) {
        return Arrays.copyOfRange(f, f.length == 0 ? 0 : r.nextInt(f.length), f.length);
    }

    private static byte[] varintGarbage(Random r) {
        byte[] b = new byte[1 + r.nextInt(12)];
        Arrays.fill(b, (byte) 0xff);
        if (r.nextBoolean()) b[b.length - 1] = 0x7f;
        return b;
    }

    /** A length-delimited field (a random field number) claiming up to 2^32 bytes. */
    private static byte[] hugeLength(Random r) {
        int field = 1 + r.nextInt(12);
        long len = r.nextBoolean() ? 0xffffffffL : (1L << (8 + r.nextInt(24))) + r.nextInt(100);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        varint(out, ((long) field << 3) | 2);
        varint(out, len);
        return out.toByteArray();
    }

    private static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] insert(byte[] f, int at, byte[] what) {
        return concat(concat(Arrays.copyOf(f, at), what), Arrays.copyOfRange(f, at, f.length));
    }

    /** A valid batch re-built at the protobuf level with one field given a value a peer should not send. */
    private static byte[] hostile(Random r) {
        Envelope.Builder env;
        try {
            env = Envelope.parseFrom(WireCodec.encode(batch(r))).toBuilder();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
        var batch = env.getBatchBuilder();
        if (batch.getChangesCount() == 0) return env.build().toByteArray();
        Change.Builder c = batch.getChangesBuilder(r.nextInt(batch.getChangesCount()));
        switch (r.nextInt(9)) {
            case 0 -> c.setPath(ByteString.copyFrom(randomPath(r)));
            case 1 -> c.setKind(ChangeKind.CHANGE_KIND_RENAME)
                    .setOldPath(ByteString.copyFrom(randomPath(r)));
            case 2 -> c.setOldPath(ByteString.copyFrom(randomPath(r)));
            case 3 -> c.getStateBuilder().setMode(r.nextInt());
            case 4 -> c.getStateBuilder().setTypeValue(r.nextInt(6)).setSize(r.nextLong());
            case 5 -> c.getStateBuilder().setContentHash(ByteString.copyFrom(bytes(r, r.nextInt(40))));
            case 6 -> c.getStateBuilder().setSymlinkTarget(ByteString.copyFrom(bytes(r, r.nextInt(8))));
            case 7 -> c.putVersion(r.nextBoolean() ? "" : new String(bytes(r, 1 + r.nextInt(4)), StandardCharsets.ISO_8859_1), 1);
            default -> {
                if (r.nextBoolean()) batch.setOrigin(r.nextBoolean() ? "-x" : "a".repeat(65));
                else batch.setSequence(0);
            }
        }
        if (r.nextInt(4) == 0) c.clearState();
        return env.build().toByteArray();
    }

    private static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) "ab/.\0\\x".charAt(r.nextInt(7));
        return b;
    }

    /** Components from {@link #COMPONENTS}, sometimes with a leading or doubled slash or a NUL. */
    private static byte[] randomPath(Random r) {
        StringBuilder sb = new StringBuilder();
        if (r.nextInt(10) == 0) sb.append('/');
        for (int n = 1 + r.nextInt(4); n > 0; n--) {
            sb.append(COMPONENTS[r.nextInt(COMPONENTS.length)]);
            if (n > 1) sb.append(r.nextInt(15) == 0 ? "//" : "/");
        }
        if (r.nextInt(20) == 0) sb.insert(r.nextInt(sb.length() + 1), '\0');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A valid path: ordinary components (never {@code .jclsync} at the top). */
    private static RelPath goodPath(Random r) {
        StringBuilder sb = new StringBuilder();
        for (int n = 1 + r.nextInt(3); n > 0; n--) {
            String c;
            do c = COMPONENTS[r.nextInt(COMPONENTS.length)]; while (c.isEmpty() || c.equals(".") || c.equals(".."));
            if (sb.isEmpty() && c.equals(".jclsync")) c = "top";
            sb.append(c).append(n > 1 ? "/" : "");
        }
        return RelPath.of(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String node(Random r) {
        return "n" + r.nextInt(5);
    }

    private static VersionVector vector(Random r) {
        return VersionVector.of(counts(r));
    }

    private static Map<String, Long> counts(Random r) {
        Map<String, Long> v = new HashMap<>();
        for (int n = r.nextInt(4); n > 0; n--) v.put(node(r), (long) r.nextInt(1000));
        return v;
    }

    private static FileState state(Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> new FileState(FileType.FILE, r.nextInt(1 << 20), r.nextLong(), r.nextInt(07777 + 1), new byte[0], bytes32(r));
            case 1 -> new FileState(FileType.DIRECTORY, 0, r.nextLong(), 0755, new byte[0], new byte[0]);
            default -> new FileState(FileType.SYMLINK, 0, r.nextLong(), 0777, "../x".getBytes(), new byte[0]);
        };
    }

    private static byte[] bytes32(Random r) {
        byte[] b = new byte[32];
        r.nextBytes(b);
        return b;
    }

    private static WireMessage.Batch batch(Random r) {
        boolean answer = r.nextInt(4) == 0;
        List<WireMessage.Change> changes = new ArrayList<>();
        Set<RelPath> seen = new HashSet<>();
        for (int n = r.nextInt(12); n > 0; n--) {
            RelPath p = goodPath(r);
            if (!seen.add(p)) continue;
            WireMessage.Kind kind = WireMessage.Kind.values()[r.nextInt(answer ? 2 : 4) + (answer ? 1 : 0)];
            changes.add(new WireMessage.Change(p, kind, kind == WireMessage.Kind.RENAME ? goodPath(r) : null,
                    kind == WireMessage.Kind.DELETE ? null : state(r), vector(r), r.nextBoolean() ? null : node(r),
                    r.nextInt(8) == 0));
        }
        WireMessage.IndexPart part = null;
        if (answer) {
            List<WireMessage.Scope> scopes = new ArrayList<>();
            if (!changes.isEmpty() && r.nextBoolean()) {
                scopes.add(new WireMessage.Scope(goodPath(r), new ScopeState(vector(r), r.nextLong(), node(r), 3, 4)));
            }
            part = new WireMessage.IndexPart(node(r), r.nextLong(), r.nextLong(), r.nextBoolean(), scopes);
        }
        return new WireMessage.Batch(TREE, node(r), 1 + r.nextInt(1000), changes, part);
    }

    private static byte[] valid(Random r) {
        WireMessage m = switch (r.nextInt(6)) {
            case 0 -> r.nextBoolean() ? WireMessage.Hello.servingNothing(node(r), bytes32(r))
                    : new WireMessage.Hello(node(r), bytes32(r), "127.0.0." + r.nextInt(256) + ":8730", r.nextLong(), bytes32(r));
            case 1 -> new WireMessage.CatchUpRequest(TREE, node(r), Map.of(node(r), new IndexLog.Position(r.nextLong(), r.nextInt(99))));
            case 2 -> new WireMessage.Progress(TREE, node(r), counts(r));
            default -> batch(r);
        };
        return WireCodec.encode(m);
    }

    // ---- the oracle: PROTOCOL.md's rules, stated again without the codec's code ----

    static void check(WireMessage m) {
        if (m instanceof WireMessage.Hello h) {
            checkNode(h.node());
            assertTrue(h.treeId().length >= 1 && h.treeId().length <= 64, "tree id length");
            String e = h.transferEndpoint();
            assertTrue(e.isEmpty() || e.matches("[A-Za-z0-9.:\\[\\]-]+:[0-9]{1,5}"), "endpoint " + e);
            assertEquals(e.isEmpty() ? 0 : 32, h.transferKey().length, "transfer key length");
        } else if (m instanceof WireMessage.Batch b) {
            checkTree(b.tree());
            checkNode(b.origin());
            assertTrue(b.sequence() != 0, "sequence 0");
            assertTrue(b.changes().size() <= WireCodec.MAX_CHANGES, "too many changes");
            Set<RelPath> paths = new HashSet<>();
            for (WireMessage.Change c : b.changes()) {
                checkChange(c);
                assertTrue(paths.add(c.path()), "duplicate " + c.path());
                if (b.part() != null) {
                    assertTrue(c.kind() == WireMessage.Kind.MODIFY || c.kind() == WireMessage.Kind.DELETE, "answer with " + c.kind());
                }
            }
            if (b.part() != null) {
                checkNode(b.part().requester());
                assertTrue(b.part().scopes().size() <= b.changes().size(), "more scopes than changes");
                for (WireMessage.Scope s : b.part().scopes()) {
                    checkPath(s.path().bytes());
                    assertTrue(s.state().files() >= 0 && s.state().bytes() >= 0, "negative scope counts");
                    if (!s.state().latestWriter().isEmpty()) checkNode(s.state().latestWriter());
                    checkVector(s.state().vector().asMap());
                }
            }
        } else if (m instanceof WireMessage.CatchUpRequest q) {
            checkTree(q.tree());
            checkNode(q.requester());
            assertTrue(q.since().size() <= WireCodec.MAX_NODES);
            q.since().keySet().forEach(WireCodecFuzzTest::checkNode);
        } else if (m instanceof WireMessage.Progress p) {
            checkTree(p.tree());
            checkNode(p.node());
            checkVector(p.applied());
        } else {
            fail("unknown message " + m);
        }
    }

    private static void checkChange(WireMessage.Change c) {
        checkPath(c.path().bytes());
        assertEquals(c.kind() == WireMessage.Kind.RENAME, c.oldPath() != null, "old path iff rename");
        if (c.oldPath() != null) checkPath(c.oldPath().bytes());
        assertEquals(c.kind() == WireMessage.Kind.DELETE, c.state() == null, "state unless delete");
        checkVector(c.version().asMap());
        if (c.writer() != null) checkNode(c.writer());
        FileState s = c.state();
        if (s == null) return;
        assertTrue(s.type() != FileType.SPECIAL, "special file");
        assertEquals(0, s.mode() & ~07777, "mode bits");
        assertTrue(s.size() >= 0, "size");
        assertEquals(s.type() == FileType.FILE ? 32 : 0, s.sha256().length, "hash length");
        byte[] t = s.linkTarget();
        if (s.type() == FileType.SYMLINK) {
            assertTrue(t.length >= 1 && t.length <= 4096, "target length");
            for (byte b : t) assertTrue(b != 0, "NUL in target");
        } else {
            assertEquals(0, t.length, "target on a non-symlink");
        }
    }

    /** Inside the tree: relative, no NUL, no empty, . or .. component, at most 4,096 bytes; not .jclsync or below. */
    private static void checkPath(byte[] p) {
        String s = new String(p, StandardCharsets.ISO_8859_1);
        assertTrue(p.length >= 1 && p.length <= 4096, "path length " + p.length);
        assertTrue(s.indexOf('\0') < 0, "NUL in " + s);
        String[] parts = s.split("/", -1);
        for (String part : parts) assertTrue(!part.isEmpty() && !part.equals(".") && !part.equals(".."), "component of " + s);
        assertTrue(!parts[0].equals(".jclsync"), "names the working dir: " + s);
    }

    private static void checkNode(String n) {
        assertTrue(n.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}"), "node name " + n);
    }

    private static void checkTree(String hex) {
        assertTrue(hex.matches("([0-9a-f]{2}){1,64}"), "tree " + hex);
    }

    private static void checkVector(Map<String, Long> v) {
        assertTrue(v.size() <= WireCodec.MAX_NODES, "vector size");
        v.keySet().forEach(WireCodecFuzzTest::checkNode);
    }
}
