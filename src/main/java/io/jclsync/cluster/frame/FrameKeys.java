package io.jclsync.cluster.frame;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The frame keys of one cluster: one per secret the node was given, the first the one it seals
 * with, every one accepted (so a cluster can change its secret one node at a time).
 *
 * <p>Version 1 of the derivation: the frame key is HKDF-SHA256 of the secret's stretched key with
 * info {@code jclsync-frame-v1}; its one-byte id (carried in each frame, so a receiver knows which
 * key to try) is the first byte of HKDF with info {@code jclsync-frame-v1 key-id}. Each sender seals
 * with a key of its own, HKDF-Expand of the frame key with info {@code jclsync-frame-v1 sender}
 * followed by the sender's address: a sender's counters are unique, so each (key, nonce) pair is
 * used once even though every node holds the same secret. These keys separate nonces, they do not
 * tell holders of the secret apart.
 */
public final class FrameKeys {
    private static final String INFO = "jclsync-frame-v1";

    /** One secret's frame key and its id. */
    private record Key(byte id, byte[] frameKey) {
    }

    private final List<Key> keys;
    private final Map<String, SecretKey> senderKeys = new ConcurrentHashMap<>();

    private FrameKeys(List<Key> keys) {
        this.keys = List.copyOf(keys);
    }

    /**
     * @param stretched one key per secret, each already stretched from the secret (PBKDF2); the
     *                  first is the one this node seals with
     */
    public static FrameKeys of(List<byte[]> stretched) {
        if (stretched.isEmpty()) throw new IllegalArgumentException("no cluster secret");
        List<Key> keys = new ArrayList<>();
        for (byte[] s : stretched) {
            byte[] frameKey = Hkdf.derive(new byte[0], s, bytes(INFO), 32);
            byte id = Hkdf.expand(frameKey, bytes(INFO + " key-id"), 1)[0];
            keys.add(new Key(id, frameKey));
        }
        return new FrameKeys(keys);
    }

    /** Id of the key this node seals with. */
    byte sealingId() {
        return keys.get(0).id();
    }

    /** The key this node seals with, for a sender whose address serializes to {@code sender}. */
    SecretKey sealing(byte[] sender) {
        return senderKey(keys.get(0), sender);
    }

    /** The keys to try on a frame whose key id is {@code id} (usually one; two if two secrets' ids collide). */
    List<SecretKey> opening(byte id, byte[] sender) {
        List<SecretKey> out = new ArrayList<>(1);
        for (Key k : keys) {
            if (k.id() == id) out.add(senderKey(k, sender));
        }
        return out;
    }

    private SecretKey senderKey(Key key, byte[] sender) {
        // Bounded in practice: one entry per member incarnation and key; cleared when it grows past
        // what a cluster can have, so a flood of authentic frames from many addresses cannot grow it.
        if (senderKeys.size() > 4096) senderKeys.clear();
        String cacheKey = keys.indexOf(key) + "/" + HexFormat.of().formatHex(sender);
        return senderKeys.computeIfAbsent(cacheKey, k -> {
            byte[] prefix = bytes(INFO + " sender ");
            byte[] info = Arrays.copyOf(prefix, prefix.length + sender.length);
            System.arraycopy(sender, 0, info, prefix.length, sender.length);
            return new SecretKeySpec(Hkdf.expand(key.frameKey(), info, 32), "AES");
        });
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
