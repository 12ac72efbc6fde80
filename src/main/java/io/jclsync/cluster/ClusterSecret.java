package io.jclsync.cluster;

import io.jclsync.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The cluster secret, read from {@code --cluster-secret-file}, and the keys derived from it. The
 * file must be a regular file of the user running the node, readable and writable by it only, like
 * an ssh key: a secret others can read is no secret, and one others can write is theirs.
 */
public final class ClusterSecret {
    private static final int ITERATIONS = 210_000;

    private final char[] secret;

    private ClusterSecret(char[] secret) {
        this.secret = secret;
    }

    public static ClusterSecret read(Path file) throws ConfigException {
        if (file == null) {
            throw new ConfigException("cluster mode needs --cluster-secret-file: the same secret on every node "
                    + "(e.g. head -c 32 /dev/urandom | base64 > FILE; chmod 600 FILE)");
        }
        try {
            PrivateFiles.checkSecretFile(file);
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (text.length() < 16) {
                throw new ConfigException("cluster secret in " + file + " is " + text.length()
                        + " characters; use at least 16 (e.g. head -c 32 /dev/urandom | base64)");
            }
            return new ClusterSecret(text.toCharArray());
        } catch (IOException e) {
            throw new ConfigException("cannot read cluster secret file " + file + ": " + e.getMessage());
        }
    }

    /** The AES-256 key of the JGroups channel of {@code clusterName} (PBKDF2-HMAC-SHA256, salted with the name). */
    public SecretKey channelKey(String clusterName) {
        return new SecretKeySpec(derive("jclsync/channel/" + clusterName, 32), "AES");
    }

    /** The password of the peers' rsync daemons of {@code clusterName}. */
    public String transferPassword(String clusterName) {
        return java.util.HexFormat.of().formatHex(derive("jclsync/rsync/" + clusterName, 24));
    }

    private byte[] derive(String purpose, int bytes) {
        try {
            SecretKeyFactory f = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            PBEKeySpec spec = new PBEKeySpec(secret, purpose.getBytes(StandardCharsets.UTF_8), ITERATIONS, bytes * 8);
            try {
                return f.generateSecret(spec).getEncoded();
            } finally {
                spec.clearPassword();
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing from this JDK", e);
        }
    }
}
