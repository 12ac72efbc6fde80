package io.jclsync.cluster.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.EmptyMessage;
import org.jgroups.Message;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.Test;
import java.util.HexFormat;

/** The frame layer on its own: what it lets through and what it drops, and why. */
class FrameSealTest {
    private static final byte[] SECRET_A = "a".repeat(32).getBytes(StandardCharsets.UTF_8);
    private static final byte[] SECRET_B = "b".repeat(32).getBytes(StandardCharsets.UTF_8);

    private final Address n1 = UUID.randomUUID();
    private final Address n2 = UUID.randomUUID();
    /** n1 seals, n2 opens, both with secret A, unless a test says otherwise. */
    private final FrameSeal sender = seal(n1, SECRET_A);
    private final FrameSeal receiver = seal(n2, SECRET_A);

    private static FrameSeal seal(Address self, byte[]... secrets) {
        FrameSeal s = new FrameSeal().keys(FrameKeys.of(List.of(secrets)));
        s.setAddress(self);
        return s;
    }

    private static Message payload(String text) {
        return new BytesMessage(null, text.getBytes(StandardCharsets.UTF_8));
    }

    private static Message frame(Address from, byte[] bytes) {
        return new BytesMessage(null, bytes).setSrc(from);
    }

    private static String text(Message m) {
        return new String(m.getArray(), m.getOffset(), m.getLength(), StandardCharsets.UTF_8);
    }

    @Test
    void opensWhatItSealsWithHeadersAndFlags() throws Exception {
        Message m = payload("hello").setFlag(Message.Flag.OOB);
        m.putHeader((short) 14, GMS.GmsHeader.class.getConstructor(byte.class).newInstance(GMS.GmsHeader.JOIN_REQ));
        Message opened = receiver.open(frame(n1, sender.seal(m)), n1);
        assertNotNull(opened);
        assertEquals("hello", text(opened));
        assertEquals(n1, opened.getSrc());
        assertEquals(true, opened.isFlagSet(Message.Flag.OOB));
        assertNotNull(opened.getHeader((short) 14), "headers travel inside the sealed frame");
        assertEquals(0, receiver.rejected());
    }

    @Test
    void sealedBytesHoldNoPlaintext() throws Exception {
        byte[] frame = seal(n1, SECRET_A).seal(payload("MARKER-1234567890"));
        String asText = new String(frame, StandardCharsets.ISO_8859_1);
        assertEquals(-1, asText.indexOf("MARKER"));
    }

    @Test
    void eachBitFlippedIsDropped() throws Exception {
        byte[] frame = sender.seal(payload("some content"));
        for (int bit = 0; bit < frame.length * 8; bit++) {
            byte[] flipped = frame.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertNull(receiver.open(frame(n1, flipped), n1), "bit " + bit);
        }
        assertEquals(frame.length * 8L, receiver.rejected());
        assertNotNull(receiver.open(frame(n1, frame), n1), "the frame itself still opens: nothing was recorded");
    }

    @Test
    void aReplayIsDropped() throws Exception {
        byte[] first = sender.seal(payload("delete x"));
        byte[] second = sender.seal(payload("create x"));
        assertNotNull(receiver.open(frame(n1, first), n1));
        assertNotNull(receiver.open(frame(n1, second), n1));
        assertNull(receiver.open(frame(n1, first), n1));
        assertNull(receiver.open(frame(n1, second), n1));
        assertEquals(2, receiver.rejected(FrameSeal.Rejection.REPLAYED));
    }

    @Test
    void framesOvertakingEachOtherAreAccepted() throws Exception {
        byte[][] frames = new byte[20][];
        for (int i = 0; i < frames.length; i++) frames[i] = sender.seal(payload("m" + i));
        for (int i = frames.length - 1; i >= 0; i--) assertNotNull(receiver.open(frame(n1, frames[i]), n1), "m" + i);
        assertEquals(0, receiver.rejected());
    }

    @Test
    void aSpliceOfTwoFramesIsDropped() throws Exception {
        byte[] a = sender.seal(payload("x".repeat(100)));
        byte[] b = sender.seal(payload("y".repeat(100)));
        // Header and first half of a, second half of b; and the header of b on the body of a.
        byte[] halves = Arrays.copyOf(a, a.length);
        System.arraycopy(b, b.length / 2, halves, a.length / 2, a.length - a.length / 2);
        byte[] headerSwap = Arrays.copyOf(a, a.length);
        System.arraycopy(b, 0, headerSwap, 0, 10);
        assertNull(receiver.open(frame(n1, halves), n1));
        assertNull(receiver.open(frame(n1, headerSwap), n1));
        assertEquals(2, receiver.rejected(FrameSeal.Rejection.FORGED));
    }

    @Test
    void aPayloadLessControlMessageIsDropped() throws Exception {
        Message forged = new EmptyMessage(null).setSrc(n1);
        forged.putHeader((short) 14, GMS.GmsHeader.class.getConstructor(byte.class).newInstance(GMS.GmsHeader.LEAVE_REQ));
        assertNull(receiver.open(forged, n1));
        assertNull(receiver.open(frame(n1, new byte[0]), n1));
        assertEquals(2, receiver.rejected(FrameSeal.Rejection.NOT_A_FRAME));
    }

    @Test
    void aFrameUnderAnotherSecretIsDropped() throws Exception {
        FrameSeal stranger = seal(n1, SECRET_B);
        byte[] frame = stranger.seal(payload("join me"));
        assertNull(receiver.open(frame(n1, frame), n1));
        // The key id is one byte: another secret's may collide with ours; then the tag fails instead.
        assertEquals(1, receiver.rejected(FrameSeal.Rejection.UNKNOWN_KEY) + receiver.rejected(FrameSeal.Rejection.FORGED));
    }

    @Test
    void aFrameMovedToAnotherSendersConnectionIsDropped() throws Exception {
        Address n3 = UUID.randomUUID();
        assertNull(receiver.open(frame(n3, sender.seal(payload("m"))), n3));
        assertEquals(1, receiver.rejected(FrameSeal.Rejection.MISDIRECTED));
    }

    @Test
    void aUnicastToAnotherMemberIsDropped() throws Exception {
        Message toOther = new BytesMessage(UUID.randomUUID(), new byte[] {1});
        assertNull(receiver.open(frame(n1, sender.seal(toOther)), n1));
        Message toMe = new BytesMessage(n2, new byte[] {1});
        assertNotNull(receiver.open(frame(n1, sender.seal(toMe)), n1));
        assertEquals(1, receiver.rejected(FrameSeal.Rejection.MISDIRECTED));
    }

    @Test
    void anOldCaptureIsDroppedByANodeThatNeverHeardItsSender() {
        ReplayWindows w = new ReplayWindows();
        long now = 1_000_000_000_000L;
        assertEquals(ReplayWindows.Verdict.TOO_OLD, w.check(n1, now - ReplayWindows.MAX_AGE_MICROS - 1, now));
        assertEquals(true, w.accept(n1, now, now));
        assertEquals(ReplayWindows.Verdict.TOO_OLD, w.check(n1, now - ReplayWindows.FIRST_SLACK_MICROS - 1, now));
        assertEquals(ReplayWindows.Verdict.FRESH, w.check(n1, now - 1, now));
        assertEquals(ReplayWindows.Verdict.REPLAYED, w.check(n1, now, now));
        for (int i = 1; i <= ReplayWindows.KEPT; i++) w.accept(n1, now + i, now);
        assertEquals(ReplayWindows.Verdict.TOO_OLD, w.check(n1, now, now), "below the last KEPT counters");
    }

    @Test
    void rotationAcceptsBothSecretsAndSealsWithTheFirst() throws Exception {
        FrameSeal old = seal(n1, SECRET_A);
        FrameSeal moving = seal(n2, SECRET_A, SECRET_B);
        FrameSeal moved = seal(UUID.randomUUID(), SECRET_B, SECRET_A);
        FrameSeal done = seal(UUID.randomUUID(), SECRET_B);
        assertNotNull(moving.open(frame(n1, old.seal(payload("1"))), n1));
        assertNotNull(old.open(frame(n2, moving.seal(payload("2"))), n2), "seals with the first secret");
        assertNotNull(moved.open(frame(n1, old.seal(payload("3"))), n1));
        Address movedAddr = moved.getAddress();
        assertNotNull(moving.open(frame(movedAddr, moved.seal(payload("4"))), movedAddr));
        assertNotNull(done.open(frame(movedAddr, moved.seal(payload("5"))), movedAddr));
        assertNull(old.open(frame(movedAddr, moved.seal(payload("6"))), movedAddr), "the old-only node refuses the new secret");
    }

    @Test
    void hkdfMatchesRfc5869TestCase1() {
        byte[] ikm = new byte[22];
        Arrays.fill(ikm, (byte) 0x0b);
        byte[] salt = HexFormat.of().parseHex("000102030405060708090a0b0c");
        byte[] info = HexFormat.of().parseHex("f0f1f2f3f4f5f6f7f8f9");
        assertArrayEquals(HexFormat.of().parseHex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                + "34007208d5b887185865"), Hkdf.derive(salt, ikm, info, 42));
    }
}
