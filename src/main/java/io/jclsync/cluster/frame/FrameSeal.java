package io.jclsync.cluster.frame;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.Message;
import org.jgroups.PhysicalAddress;
import org.jgroups.stack.Protocol;
import org.jgroups.util.ByteArray;
import org.jgroups.util.ByteArrayDataInputStream;
import org.jgroups.util.ByteArrayDataOutputStream;
import org.jgroups.util.MessageBatch;
import org.jgroups.util.Util;
import java.util.Arrays;

/**
 * A JGroups protocol, placed right above the transport, that seals every message going down and
 * opens every frame coming up: the whole message (flags, destination, source, every protocol's
 * headers and the payload) is serialized and encrypted with AES-256-GCM, and travels as the payload
 * of a new message. A frame that does not open (wrong key, a flipped bit, pieces of two frames), that
 * was seen before or is too old (a replay), or that is not a frame at all (a payload-less or forged
 * control message) is dropped and counted; nothing above this layer ever sees it.
 *
 * <p>Frame, version 1 (PROTOCOL.md, <i>Frames</i>):
 * <pre>
 *   version (1 byte, 1) | key id (1) | counter (8, big-endian) | sender length (2) | sender (JGroups address)
 *   | AES-256-GCM ciphertext of the serialized message | tag (16)
 * </pre>
 * The bytes before the ciphertext are the AEAD's associated data; the nonce is four zero bytes and the
 * counter; the key is the sender's own ({@link FrameKeys}).
 */
public class FrameSeal extends Protocol {
    static final byte VERSION = 1;
    private static final int TAG_BYTES = 16;
    private static final int FIXED_HEADER = 12;

    /** Why a frame was dropped. */
    public enum Rejection {
        /** Not a frame of this version: no payload (a bare control message), too short, another version. */
        NOT_A_FRAME,
        /** Sealed under a key this node does not hold (another secret). */
        UNKNOWN_KEY,
        /** The tag did not verify: a changed bit, spliced frames, a forgery or another secret. */
        FORGED,
        /** A counter this node already accepted from that sender. */
        REPLAYED,
        /** Older than the sender's replay window, or, from a sender not heard before, than two minutes. */
        TOO_OLD,
        /** Opened, but the transport's sender or the inner destination do not match the sealed ones. */
        MISDIRECTED
    }

    private volatile FrameKeys keys;
    private final AtomicLong lastCounter = new AtomicLong();
    private final ReplayWindows windows = new ReplayWindows();
    private final Map<Rejection, AtomicLong> rejected = new EnumMap<>(Rejection.class);
    private final Map<Rejection, AtomicLong> lastWarning = new EnumMap<>(Rejection.class);
    private volatile Address senderAddress;
    private volatile byte[] sender;

    public FrameSeal() {
        for (Rejection r : Rejection.values()) {
            rejected.put(r, new AtomicLong());
            lastWarning.put(r, new AtomicLong());
        }
    }

    /** Hands the keys over; called as the stack is created, before {@link #init()}. */
    public FrameSeal keys(FrameKeys k) {
        this.keys = k;
        return this;
    }

    /** Frames dropped so far, for every reason. */
    public long rejected() {
        long n = 0;
        for (AtomicLong a : rejected.values()) n += a.get();
        return n;
    }

    /** Frames dropped so far for {@code reason}. */
    public long rejected(Rejection reason) {
        return rejected.get(reason).get();
    }

    @Override
    public void init() throws Exception {
        super.init();
        if (keys == null) throw new IllegalStateException("FrameSeal has no keys: ClusterStack hands them over");
    }

    @Override
    public Object down(Message msg) {
        Message frame;
        try {
            frame = new BytesMessage(msg.getDest(), seal(msg)).setFlag(msg.getFlags(), false).setSrc(local_addr);
        } catch (Exception e) {
            throw new IllegalStateException("cannot seal a message to " + msg.getDest(), e);
        }
        if (msg.isFlagSet(Message.TransientFlag.DONT_LOOPBACK)) frame.setFlag(Message.TransientFlag.DONT_LOOPBACK);
        return down_prot.down(frame);
    }

    @Override
    public Object up(Message frame) {
        Message msg = open(frame, frame.getSrc());
        return msg == null ? null : up_prot.up(msg);
    }

    @Override
    public void up(MessageBatch batch) {
        for (Iterator<Message> it = batch.iterator(); it.hasNext(); ) {
            Message frame = it.next();
            Message msg = open(frame, frame.getSrc() != null ? frame.getSrc() : batch.sender());
            if (msg == null) it.remove();
            else ((org.jgroups.util.FastArray<Message>.FastIterator) it).replace(msg);
        }
        if (!batch.isEmpty()) up_prot.up(batch);
    }

    byte[] seal(Message msg) throws Exception {
        // A retransmission may carry another member's message (its original sender stays its source).
        if (msg.getSrc() == null) msg.setSrc(local_addr);
        byte[] self = senderBytes();
        ByteArray plain = Util.messageToBuffer(msg);
        long counter = lastCounter.accumulateAndGet(nowMicros(), (prev, now) -> Math.max(prev + 1, now));
        ByteBuffer out = ByteBuffer.allocate(FIXED_HEADER + self.length + plain.length() + TAG_BYTES);
        out.put(VERSION).put(keys.sealingId()).putLong(counter).putShort((short) self.length).put(self);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, keys.sealing(self), nonce(counter));
        c.updateAAD(out.array(), 0, out.position());
        c.doFinal(plain.array(), plain.offset(), plain.length(), out.array(), out.position());
        return out.array();
    }

    /** The message sealed in {@code frame}, or null (counted and logged) if it is not to be trusted. */
    Message open(Message frame, Address transportSender) {
        if (!frame.hasArray() || frame.getLength() < FIXED_HEADER + TAG_BYTES) {
            return reject(Rejection.NOT_A_FRAME, transportSender);
        }
        byte[] buf = frame.getArray();
        int off = frame.getOffset();
        int len = frame.getLength();
        ByteBuffer in = ByteBuffer.wrap(buf, off, len);
        if (in.get() != VERSION) return reject(Rejection.NOT_A_FRAME, transportSender);
        byte keyId = in.get();
        long counter = in.getLong();
        int senderLength = in.getShort() & 0xffff;
        int header = FIXED_HEADER + senderLength;
        if (len < header + TAG_BYTES) return reject(Rejection.NOT_A_FRAME, transportSender);
        byte[] senderBytes = new byte[senderLength];
        in.get(senderBytes);
        List<SecretKey> candidates = keys.opening(keyId, senderBytes);
        if (candidates.isEmpty()) return reject(Rejection.UNKNOWN_KEY, transportSender);
        Address sealer;
        try {
            sealer = Util.readAddress(new ByteArrayDataInputStream(senderBytes));
        } catch (Exception e) {
            return reject(Rejection.NOT_A_FRAME, transportSender);
        }
        long now = nowMicros();
        ReplayWindows.Verdict early = windows.check(sealer, counter, now);
        if (early != ReplayWindows.Verdict.FRESH) return reject(verdict(early), sealer);
        byte[] plain = null;
        for (SecretKey key : candidates) {
            plain = decrypt(key, counter, buf, off, header, len);
            if (plain != null) break;
        }
        if (plain == null) return reject(Rejection.FORGED, transportSender);
        // Authentic from here on: only a replay, or a frame moved to another connection, remains.
        if (!sealer.equals(transportSender)) return reject(Rejection.MISDIRECTED, sealer);
        Message msg;
        try {
            msg = Util.messageFromBuffer(plain, 0, plain.length);
        } catch (Exception e) {
            return reject(Rejection.FORGED, sealer);
        }
        Address dest = msg.getDest();
        if (dest != null && !dest.equals(local_addr) && !(dest instanceof PhysicalAddress)) {
            return reject(Rejection.MISDIRECTED, sealer);
        }
        if (!windows.accept(sealer, counter, now)) return reject(Rejection.REPLAYED, sealer);
        return msg;
    }

    private static byte[] decrypt(SecretKey key, long counter, byte[] buf, int off, int header, int len) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, nonce(counter));
            c.updateAAD(buf, off, header);
            return c.doFinal(buf, off + header, len - header);
        } catch (AEADBadTagException e) {
            return null;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM/NoPadding is missing from this JDK", e);
        }
    }

    private static Rejection verdict(ReplayWindows.Verdict v) {
        return v == ReplayWindows.Verdict.REPLAYED ? Rejection.REPLAYED : Rejection.TOO_OLD;
    }

    private Message reject(Rejection reason, Address from) {
        long total = rejected.get(reason).incrementAndGet();
        long now = System.nanoTime();
        AtomicLong warned = lastWarning.get(reason);
        long last = warned.get();
        // One line per reason per 10 s at most: a replaying or misconfigured peer must not flood the log.
        if ((last == 0 || now - last > TimeUnit.SECONDS.toNanos(10)) && warned.compareAndSet(last, now)) {
            log.warn("%s: dropped a frame from %s: %s (%d dropped for this reason so far%s)", local_addr, from, reason,
                    total, reason == Rejection.UNKNOWN_KEY || reason == Rejection.FORGED
                            ? "; a changed frame, or a node with another cluster secret" : "");
        }
        return null;
    }

    private byte[] senderBytes() throws Exception {
        byte[] s = sender;
        if (s == null || !local_addr.equals(senderAddress)) {
            ByteArrayDataOutputStream out = new ByteArrayDataOutputStream(Util.size(local_addr));
            Util.writeAddress(local_addr, out);
            s = Arrays.copyOf(out.buffer(), out.position());
            sender = s;
            senderAddress = local_addr;
        }
        return s;
    }

    private static GCMParameterSpec nonce(long counter) {
        return new GCMParameterSpec(TAG_BYTES * 8, ByteBuffer.allocate(12).putInt(0).putLong(counter).array());
    }

    private static long nowMicros() {
        return TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis());
    }
}
