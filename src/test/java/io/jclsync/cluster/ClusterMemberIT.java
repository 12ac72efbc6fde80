package io.jclsync.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jclsync.cluster.wire.WireMessage;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.jclsync.cluster.wire.proto.Change;
import io.jclsync.cluster.wire.proto.ChangeBatch;
import io.jclsync.cluster.wire.proto.ChangeKind;
import io.jclsync.cluster.wire.proto.Envelope;
import io.jclsync.cluster.wire.proto.FileState;
import io.jclsync.cluster.wire.proto.FileType;
import java.util.function.BooleanSupplier;

/** Two real JGroups members over TCP on loopback, in this JVM: what a peer does with bad input. */
class ClusterMemberIT {
    /** A transfer key: any 32 bytes (a SHA-256 fingerprint). */
    private static final byte[] KEY = new byte[32];
    @TempDir
    Path tmp;

    static final class Inbox implements ClusterMember.Listener {
        final List<WireMessage> messages = new CopyOnWriteArrayList<>();
        volatile List<String> view = List.of();

        @Override
        public void received(String from, WireMessage message) {
            messages.add(message);
        }

        @Override
        public void viewChanged(List<String> members) {
            view = members;
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    private ClusterSecret secret() throws Exception {
        Path secretFile = tmp.resolve("secret");
        Files.writeString(secretFile, "a shared secret of enough length\n");
        Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
        return ClusterSecret.read(secretFile);
    }

    @Test
    void malformedMessagesAreDroppedAndTheNodeKeepsWorking() throws Exception {
        ClusterSecret secret = secret();
        int port = ThreadLocalRandom.current().nextInt(20000, 40000);
        InetSocketAddress a = new InetSocketAddress("127.0.0.5", port);
        InetSocketAddress b = new InetSocketAddress("127.0.0.6", port);
        Inbox inA = new Inbox();
        Inbox inB = new Inbox();
        try (ClusterMember ma = ClusterMember.joinTcp("t", "a", a, List.of(b), secret, inA);
             ClusterMember mb = ClusterMember.joinTcp("t", "b", b, List.of(a), secret, inB)) {
            await(() -> inA.view.size() == 2 && inB.view.size() == 2, "a view of two");
            mb.broadcastRaw(new byte[] {0x0a, (byte) 0xff, 0x01});              // truncated protobuf
            mb.broadcastRaw(Envelope.newBuilder()  // unknown version
                    .setProtocolVersion(99).build().toByteArray());
            mb.broadcastRaw(Envelope.newBuilder().setProtocolVersion(1)
                    .setBatch(ChangeBatch.newBuilder().setOrigin("b").setSequence(1)
                            .addChanges(Change.newBuilder()
                                    .setPath(com.google.protobuf.ByteString.copyFromUtf8("../../etc/passwd"))
                                    .setKindValue(3)))
                    .build().toByteArray());
            mb.broadcastRaw(Envelope.newBuilder().setProtocolVersion(1)  // into .jclsync/
                    .setBatch(ChangeBatch.newBuilder().setOrigin("b").setSequence(2)
                            .setTreeId(com.google.protobuf.ByteString.copyFrom(new byte[] {1}))
                            .addChanges(Change.newBuilder()
                                    .setPath(com.google.protobuf.ByteString.copyFromUtf8(".jclsync/incoming/1.list"))
                                    .setKind(ChangeKind.CHANGE_KIND_CREATE)
                                    .setState(FileState.newBuilder()
                                            .setType(FileType.FILE_TYPE_SYMLINK)
                                            .setMode(0777).setSymlinkTarget(com.google.protobuf.ByteString.copyFromUtf8("/etc/passwd")))))
                    .build().toByteArray());
            mb.broadcast(new WireMessage.Hello("b", new byte[] {1}, "127.0.0.6:8730", 0, KEY));
            await(() -> !inA.messages.isEmpty(), "the valid hello");
            assertEquals(4, ma.rejected().messages(), "four bad messages dropped");
            assertEquals(0, ma.rejected().frames(), "every frame of a member with the secret opens");
            assertEquals(1, inA.messages.size(), "only the valid message is delivered: " + inA.messages);
            assertTrue(inA.messages.get(0) instanceof WireMessage.Hello h && h.node().equals("b"));
        }
    }

    @Test
    void aNodeIsItsNameAndASecondMemberWithATakenNameIsRefused() throws Exception {
        ClusterSecret secret = secret();
        int port = ThreadLocalRandom.current().nextInt(20000, 40000);
        InetSocketAddress a = new InetSocketAddress("127.0.0.5", port);
        InetSocketAddress b = new InetSocketAddress("127.0.0.6", port);
        InetSocketAddress twin = new InetSocketAddress("127.0.0.7", port);
        Inbox inA = new Inbox();
        Inbox inB = new Inbox();
        Inbox inTwin = new Inbox();
        try (ClusterMember ma = ClusterMember.joinTcp("t", "a", a, List.of(b, twin), secret, inA);
             ClusterMember mb = ClusterMember.joinTcp("t", "b", b, List.of(a, twin), secret, inB)) {
            await(() -> inA.view.size() == 2 && inB.view.size() == 2, "a view of two");
            byte[] tree = {1};
            // b speaks in a's and in c's name: every such message is dropped and counted.
            mb.broadcast(new WireMessage.Hello("a", tree, "127.0.0.6:9999", 0, KEY));
            mb.broadcast(new WireMessage.Hello("c", tree, "127.0.0.6:9999", 0, KEY));
            mb.broadcast(new WireMessage.Progress("00", "c", Map.of("a", 5L)));
            mb.broadcast(new WireMessage.Batch("00", "c", 1, List.of(), null));
            mb.broadcast(new WireMessage.CatchUpRequest("00", "c", Map.of()));
            mb.broadcast(new WireMessage.Hello("b", tree, "127.0.0.6:8730", 0, KEY));
            await(() -> !inA.messages.isEmpty(), "b's own hello");
            assertEquals(5, ma.rejected().messages(), "five messages naming another sender dropped");
            assertEquals(List.of("b"), inA.messages.stream().map(m -> ((WireMessage.Hello) m).node()).toList());

            // A second process calling itself "b" joins: it is in the view, but nobody takes its word.
            try (ClusterMember impostor = ClusterMember.joinTcp("t", "b", twin, List.of(a, b), secret, inTwin)) {
                await(() -> addressesOf(ma) == 3, "the twin in a's view");
                impostor.broadcast(new WireMessage.Hello("b", tree, "127.0.0.7:6666", 0, KEY));
                mb.broadcast(new WireMessage.Hello("b", tree, "127.0.0.6:8731", 0, KEY));
                await(() -> inA.messages.size() == 2 && ma.rejected().messages() == 6, "b's second hello, the twin's dropped");
                assertEquals(List.of("127.0.0.6:8730", "127.0.0.6:8731"),
                        inA.messages.stream().map(m -> ((WireMessage.Hello) m).transferEndpoint()).toList());
                assertEquals(List.of("a", "b"), inA.view, "the view lists each name once");
            }
        }
    }

    private static int addressesOf(ClusterMember m) {
        return m.viewSize();
    }
}
