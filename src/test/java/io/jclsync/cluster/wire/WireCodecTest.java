package io.jclsync.cluster.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.jclsync.cluster.wire.proto.Change;
import io.jclsync.cluster.wire.proto.ChangeBatch;
import io.jclsync.cluster.wire.proto.ChangeKind;
import io.jclsync.cluster.wire.proto.Envelope;
import io.jclsync.cluster.wire.proto.FileState;
import io.jclsync.cluster.wire.proto.Progress;
import io.jclsync.fs.FileType;
import io.jclsync.fs.RelPath;
import io.jclsync.state.VersionVector;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import io.jclsync.cluster.TreeId;
import io.jclsync.state.IndexLog;
import io.jclsync.state.ScopeState;
import java.util.HexFormat;

class WireCodecTest {
    private static final byte[] HASH = new byte[32];
    /** A transfer key: any 32 bytes (a SHA-256 fingerprint). */
    private static final byte[] KEY = HexFormat.of().parseHex("5e".repeat(32));
    private static final String TREE = HexFormat.of().formatHex(TreeId.of("it"));
    private static final byte[] ODD = {'d', 'i', 'r', '/', 'n', (byte) 0xe9, '\n', ' ', 'x'};

    private static io.jclsync.state.FileState file(long size) {
        return new io.jclsync.state.FileState(FileType.FILE, size, 1_700_000_000_123_456_789L, 0644, new byte[0], HASH);
    }

    @Test
    void everyMessageSurvivesARoundTrip() throws WireException {
        WireMessage.Batch batch = new WireMessage.Batch(TREE, "node-1", 7, List.of(
                new WireMessage.Change(RelPath.of(ODD), WireMessage.Kind.CREATE, null, file(12), VersionVector.of("node-1", 3)),
                new WireMessage.Change(RelPath.of("new".getBytes()), WireMessage.Kind.RENAME, RelPath.of("old".getBytes()),
                        new io.jclsync.state.FileState(FileType.DIRECTORY, 0, 5, 0755, new byte[0], new byte[0]), VersionVector.empty()),
                new WireMessage.Change(RelPath.of("ln".getBytes()), WireMessage.Kind.MODIFY, null,
                        new io.jclsync.state.FileState(FileType.SYMLINK, 0, 5, 0777, "../x".getBytes(), new byte[0]),
                        VersionVector.of(Map.of("#0123456789abcdef", 1L, "node-2", 2L))),
                new WireMessage.Change(RelPath.of("gone".getBytes()), WireMessage.Kind.DELETE, null, null,
                        VersionVector.of(Map.of("node-1", 4L, "node-2", 1L)), "node-2")));
        WireMessage.Batch back = assertInstanceOf(WireMessage.Batch.class, WireCodec.decode(WireCodec.encode(batch)));
        assertEquals("node-1", back.origin());
        assertEquals(TREE, back.tree());
        assertEquals(7, back.sequence());
        assertEquals(4, back.changes().size());
        assertArrayEquals(ODD, back.changes().get(0).path().bytes());
        assertEquals(1_700_000_000_123_456_789L, back.changes().get(0).state().mtimeNanos());
        assertEquals(0644, back.changes().get(0).state().mode());
        assertEquals(RelPath.of("old".getBytes()), back.changes().get(1).oldPath());
        assertArrayEquals("../x".getBytes(), back.changes().get(2).state().linkTarget(), "symlink targets are data, not paths");
        assertEquals(VersionVector.of(Map.of("#0123456789abcdef", 1L, "node-2", 2L)), back.changes().get(2).version(),
                "a first scan's content key counts in a vector like a node");
        assertNull(back.changes().get(3).state());
        assertEquals(VersionVector.of(Map.of("node-1", 4L, "node-2", 1L)), back.changes().get(3).version());
        assertEquals("node-2", back.changes().get(3).writer());
        assertNull(back.changes().get(0).writer(), "no writer: the origin wrote it");
        assertNull(back.part(), "a live batch");

        WireMessage.Batch answer = new WireMessage.Batch(TREE, "n1", 8, List.of(new WireMessage.Change(RelPath.of(ODD),
                WireMessage.Kind.MODIFY, null, file(3), VersionVector.of("n3", 2), "n3")),
                new WireMessage.IndexPart("n2", -5L, 1234, true));
        assertEquals(answer.part(), assertInstanceOf(WireMessage.Batch.class,
                WireCodec.decode(WireCodec.encode(answer))).part());

        ScopeState web = new ScopeState(VersionVector.of(Map.of("n1", 4L, "n3", 6L)),
                1_700_000_000_123_456_789L, "n3", 12, 3456);
        WireMessage.Batch scoped = new WireMessage.Batch(TREE, "n1", 9, List.of(new WireMessage.Change(
                RelPath.of("web/a".getBytes()), WireMessage.Kind.MODIFY, null, file(3), VersionVector.of(Map.of("n1", 4L, "n3", 6L)), "n1", true)),
                new WireMessage.IndexPart("n2", 5L, 12, false, List.of(new WireMessage.Scope(RelPath.of("web".getBytes()), web))));
        WireMessage.Batch scopedBack = assertInstanceOf(WireMessage.Batch.class, WireCodec.decode(WireCodec.encode(scoped)));
        assertEquals(scoped.part(), scopedBack.part());
        assertTrue(scopedBack.changes().get(0).takeover());
        assertEquals(false, back.changes().get(0).takeover());

        WireMessage.Hello hello = new WireMessage.Hello("n2", new byte[] {1, 2}, "127.0.0.2:8730", 99, KEY);
        WireMessage.Hello h = assertInstanceOf(WireMessage.Hello.class, WireCodec.decode(WireCodec.encode(hello)));
        assertEquals("127.0.0.2:8730", h.transferEndpoint());
        assertEquals(99, h.indexId());
        assertArrayEquals(KEY, h.transferKey());
        WireMessage.CatchUpRequest request = new WireMessage.CatchUpRequest(TREE, "n1",
                Map.of("n2", new IndexLog.Position(7, 41), "n3", new IndexLog.Position(0, 0)));
        assertEquals(request, WireCodec.decode(WireCodec.encode(request)));
        WireMessage.Progress progress = new WireMessage.Progress(TREE, "n2", Map.of("n1", 41L, "n3", 7L));
        assertEquals(progress, WireCodec.decode(WireCodec.encode(progress)));
    }

    private static Change.Builder fileChange(String path) {
        return Change.newBuilder().setPath(ByteString.copyFromUtf8(path)).setKind(ChangeKind.CHANGE_KIND_CREATE)
                .setState(FileState.newBuilder().setType(io.jclsync.cluster.wire.proto.FileType.FILE_TYPE_FILE)
                        .setMode(0644).setHashAlgorithm("sha256").setContentHash(ByteString.copyFrom(HASH)));
    }

    private static byte[] batchOf(Change.Builder... changes) {
        ChangeBatch.Builder b = ChangeBatch.newBuilder().setTreeId(ByteString.fromHex(TREE)).setOrigin("evil").setSequence(1);
        for (Change.Builder c : changes) b.addChanges(c);
        return Envelope.newBuilder().setProtocolVersion(1).setBatch(b).build().toByteArray();
    }

    private static String rejected(byte[] message) {
        return assertThrows(WireException.class, () -> WireCodec.decode(message)).getMessage();
    }

    @Test
    void pathsThatLeaveTheTreeAreRejected() {
        for (String bad : List.of("../etc/passwd", "/etc/passwd", "a/../../b", "a//b", "a/./b", "a/", ".", "..", "")) {
            String why = rejected(batchOf(fileChange(bad)));
            assertTrue(why.contains("change 0"), bad + ": " + why);
        }
        assertTrue(rejected(batchOf(fileChange("a\0b"))).contains("NUL"));
        assertTrue(rejected(Envelope.newBuilder().setProtocolVersion(1).setBatch(ChangeBatch.newBuilder().setOrigin("n1")
                .setSequence(1).addChanges(fileChange("a"))).build().toByteArray()).contains("tree id of 0 bytes"));
        assertTrue(rejected(batchOf(fileChange("x".repeat(RelPath.MAX_BYTES + 1)))).contains("max"));
        Change.Builder rename = fileChange("ok").setKind(ChangeKind.CHANGE_KIND_RENAME)
                .setOldPath(ByteString.copyFromUtf8("../../outside"));
        assertTrue(rejected(batchOf(rename)).contains("'.' or '..'"));
    }

    @Test
    void theWorkingDirCannotBeNamed() {
        for (String bad : List.of(".jclsync", ".jclsync/incoming", ".jclsync/incoming/1.list", ".jclsync/incoming/7/a/b")) {
            String why = rejected(batchOf(fileChange(bad)));
            assertTrue(why.contains("change 0") && why.contains("working dir .jclsync/"), bad + ": " + why);
            Change.Builder link = fileChange(bad).setState(FileState.newBuilder()
                    .setType(io.jclsync.cluster.wire.proto.FileType.FILE_TYPE_SYMLINK).setMode(0777)
                    .setSymlinkTarget(ByteString.copyFromUtf8("/etc")));
            assertTrue(rejected(batchOf(link)).contains("working dir"), "a symlink at " + bad);
            Change.Builder from = fileChange("ok").setKind(ChangeKind.CHANGE_KIND_RENAME).setOldPath(ByteString.copyFromUtf8(bad));
            assertTrue(rejected(batchOf(from)).contains("working dir"), "a rename from " + bad);
            Change.Builder to = fileChange(bad).setKind(ChangeKind.CHANGE_KIND_RENAME).setOldPath(ByteString.copyFromUtf8("ok"));
            assertTrue(rejected(batchOf(to)).contains("working dir"), "a rename to " + bad);
            Change.Builder delete = Change.newBuilder().setPath(ByteString.copyFromUtf8(bad)).setKind(ChangeKind.CHANGE_KIND_DELETE);
            assertTrue(rejected(batchOf(delete)).contains("working dir"), "a delete of " + bad);
        }
        // Only the top-level dir of that name: elsewhere it is an ordinary name, and so are its look-alikes.
        for (String fine : List.of("a/.jclsync", "a/.jclsync/incoming/x", ".jclsync2", ".jclsyncx/y", "jclsync", ".JCLSYNC")) {
            assertDoesNotThrow(() -> WireCodec.decode(batchOf(fileChange(fine))), fine);
        }
    }

    @Test
    void aTransferEndpointIsHostAndPort() throws WireException {
        for (String good : List.of("", "127.0.0.2:8730", "node-1.example.org:1", "0:0:0:0:0:0:0:1:65535", "[::1]:873")) {
            WireMessage.Hello h = new WireMessage.Hello("n2", new byte[] {1}, good, 0, good.isEmpty() ? new byte[0] : KEY);
            assertEquals(good, ((WireMessage.Hello) WireCodec.decode(WireCodec.encode(h))).transferEndpoint());
        }
        for (String bad : List.of("evil@10.0.0.1:873", "10.0.0.1:873/other/", "10.0.0.1", "10.0.0.1:0", "10.0.0.1:65536",
                "host:873 --rsh=sh", "10.0.0.1:873/../t1", ":873x")) {
            WireMessage.Hello h = new WireMessage.Hello("n2", new byte[] {1}, bad, 0, KEY);
            assertTrue(rejected(WireCodec.encode(h)).contains("not host:port"), bad);
        }
    }

    @Test
    void aHelloWithAnEndpointCarriesA32ByteTransferKeyAndOneWithoutCarriesNone() throws WireException {
        for (int length : new int[] {0, 1, 31, 33, 64}) {
            WireMessage.Hello h = new WireMessage.Hello("n2", new byte[] {1}, "127.0.0.2:8730", 0, new byte[length]);
            assertTrue(rejected(WireCodec.encode(h)).contains("transfer key has " + length + " bytes, not 32"), "" + length);
        }
        WireMessage.Hello keyNoEndpoint = new WireMessage.Hello("n2", new byte[] {1}, "", 0, KEY);
        assertTrue(rejected(WireCodec.encode(keyNoEndpoint)).contains("without a transfer endpoint carries a transfer key"));
        WireMessage.Hello member = WireMessage.Hello.servingNothing("m", new byte[] {1});
        assertEquals(0, ((WireMessage.Hello) WireCodec.decode(WireCodec.encode(member))).transferKey().length);
    }

    @Test
    void malformedTruncatedOversizedAndForeignMessagesAreRejected() {
        byte[] good = batchOf(fileChange("a"), fileChange("b"));
        assertTrue(rejected(Arrays.copyOf(good, good.length - 3)).contains("malformed or truncated"));
        byte[] noise = new byte[4096];
        new Random(3).nextBytes(noise);
        rejected(noise);
        assertTrue(rejected(new byte[WireCodec.MAX_MESSAGE_BYTES + 1]).contains("limit"));
        byte[] v2 = Envelope.newBuilder().setProtocolVersion(2).build().toByteArray();
        assertTrue(rejected(v2).contains("protocol version 2"));
        assertTrue(rejected(Envelope.newBuilder().setProtocolVersion(1).build().toByteArray()).contains("without a body"));
    }

    @Test
    void statesMustBeComplete() {
        assertTrue(rejected(batchOf(fileChange("f").setState(FileState.newBuilder()
                .setType(io.jclsync.cluster.wire.proto.FileType.FILE_TYPE_FILE)))).contains("sha256"));
        assertTrue(rejected(batchOf(fileChange("f").clearState())).contains("without a state"));
        assertTrue(rejected(batchOf(fileChange("f").setState(fileChange("f").getState().toBuilder().setMode(0100644))))
                .contains("mode"));
        assertTrue(rejected(batchOf(fileChange("f").setOldPath(ByteString.copyFromUtf8("g")))).contains("old_path"));
        assertTrue(rejected(batchOf(fileChange("f").setKindValue(9))).contains("change kind"));
        assertTrue(rejected(batchOf(fileChange("same"), fileChange("same"))).contains("twice"));
        assertTrue(rejected(batchOf(fileChange("f").putVersion("bad name!", 1))).contains("node name"));
        assertTrue(rejected(batchOf(fileChange("f").putVersion("#0123", 1))).contains("node name"), "a content key is # and 16 hex digits");
        assertTrue(rejected(Envelope.newBuilder().setProtocolVersion(1).setProgress(Progress.newBuilder()
                .setTreeId(ByteString.fromHex(TREE)).setNode("n2").putApplied("#0123456789abcdef", 1)).build()
                .toByteArray()).contains("node name"), "progress is counted per node only");
    }

    @Test
    void tooManyChangesInOneBatchAreRejected() {
        ChangeBatch.Builder b = ChangeBatch.newBuilder().setOrigin("n1").setSequence(1);
        Change one = Change.newBuilder().setKind(ChangeKind.CHANGE_KIND_DELETE).build();
        for (int i = 0; i <= WireCodec.MAX_CHANGES; i++) {
            b.addChanges(one.toBuilder().setPath(ByteString.copyFrom(("p" + i).getBytes(StandardCharsets.US_ASCII))));
        }
        byte[] big = Envelope.newBuilder().setProtocolVersion(1).setBatch(b).build().toByteArray();
        assertTrue(rejected(big).contains("changes (max"));
    }
}
