package io.jclsync.cluster.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A node's transfer key as peers know it: the SHA-256 of its public key (the DER
 * SubjectPublicKeyInfo), in lower-case hex. Of the key, not of the certificate, so that a
 * certificate made again for the same key keeps it.
 */
public record Fingerprint(String hex) {
    /** Its length in bytes, as a Hello carries it. */
    public static final int BYTES = 32;
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{" + 2 * BYTES + "}");

    public Fingerprint {
        if (!HEX.matcher(hex).matches()) throw new IllegalArgumentException("not a SHA-256 fingerprint: " + hex);
    }

    /** @throws IllegalArgumentException when {@code sha256} is not {@link #BYTES} long */
    public static Fingerprint of(byte[] sha256) {
        if (sha256.length != BYTES) throw new IllegalArgumentException("a fingerprint has " + BYTES + " bytes, not " + sha256.length);
        return new Fingerprint(HexFormat.of().formatHex(sha256));
    }

    public static Fingerprint of(PublicKey key) {
        try {
            return of(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    public byte[] bytes() {
        return HexFormat.of().parseHex(hex);
    }

    /** As logs and {@code jclsync members} show it: {@code sha256:HEX}. */
    @Override
    public String toString() {
        return "sha256:" + hex;
    }
}
