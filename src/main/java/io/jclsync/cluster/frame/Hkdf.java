package io.jclsync.cluster.frame;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HKDF-SHA256 (RFC 5869). The JDK 17 has HMAC but no HKDF; this is the whole of it. */
final class Hkdf {
    private Hkdf() {
    }

    /** Extract then expand: {@code length} bytes of key for {@code info} from input key material {@code ikm}. */
    static byte[] derive(byte[] salt, byte[] ikm, byte[] info, int length) {
        return expand(hmac(salt.length == 0 ? new byte[32] : salt, ikm), info, length);
    }

    /** Expand only: {@code prk} must already be a uniformly random key (the output of {@link #derive}). */
    static byte[] expand(byte[] prk, byte[] info, int length) {
        if (length > 255 * 32) throw new IllegalArgumentException("HKDF-SHA256 gives at most 8160 bytes");
        byte[] out = new byte[length];
        byte[] block = new byte[0];
        for (int done = 0, i = 1; done < length; i++) {
            byte[] input = new byte[block.length + info.length + 1];
            System.arraycopy(block, 0, input, 0, block.length);
            System.arraycopy(info, 0, input, block.length, info.length);
            input[input.length - 1] = (byte) i;
            block = hmac(prk, input);
            System.arraycopy(block, 0, out, done, Math.min(block.length, length - done));
            done += block.length;
        }
        return out;
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }
}
