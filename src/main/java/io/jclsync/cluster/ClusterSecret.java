package io.jclsync.cluster;

import io.jclsync.cluster.frame.FrameKeys;
import io.jclsync.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.util.HexFormat;

/**
 * The cluster secret, read from {@code --cluster-secret-file}, and the keys derived from it. The
 * file must be a regular file of the user running the node, readable and writable by it only, like
 * an ssh key: a secret others can read is no secret, and one others can write is theirs.
 *
 * <p>The file holds one secret, or two on two lines while a cluster changes its secret: the first
 * is the one the node uses (it seals its frames with it), the second is also accepted from peers
 * (the next secret before the switch, the previous one after it). SECURITY.md, <i>Changing the
 * secret</i>.
 */
public final class ClusterSecret {
    private static final int ITERATIONS = 210_000;

    /** The secrets, the one in use first. */
    private final List<char[]> secrets;

    private ClusterSecret(List<char[]> secrets) {
        this.secrets = List.copyOf(secrets);
    }

    public static ClusterSecret read(Path file) throws ConfigException {
        if (file == null) {
            throw new ConfigException("cluster mode needs --cluster-secret-file: the same secret on every node "
                    + "(e.g. head -c 32 /dev/urandom | base64 > FILE; chmod 600 FILE)");
        }
        try {
            PrivateFiles.checkSecretFile(file);
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .map(String::strip).filter(l -> !l.isEmpty()).toList();
            if (lines.isEmpty()) lines = List.of("");
            if (lines.size() > 2) {
                throw new ConfigException("cluster secret file " + file + " has " + lines.size() + " secrets; give one, "
                        + "or two while changing it (the one in use first, the other accepted too)");
            }
            if (lines.size() == 2 && lines.get(0).equals(lines.get(1))) {
                throw new ConfigException("cluster secret file " + file + " has the same secret on both lines");
            }
            List<char[]> secrets = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                String text = lines.get(i);
                if (text.length() < 16) {
                    throw new ConfigException("cluster secret " + (i + 1) + " in " + file + " is " + text.length()
                            + " characters; use at least 16 (e.g. head -c 32 /dev/urandom | base64)");
                }
                secrets.add(text.toCharArray());
            }
            return new ClusterSecret(secrets);
        } catch (IOException e) {
            throw new ConfigException("cannot read cluster secret file " + file + ": " + e.getMessage());
        }
    }

    /**
     * The frame keys of the channel of {@code clusterName}: each secret stretched by
     * PBKDF2-HMAC-SHA256 (salt {@code jclsync/frame/} + the name), then HKDF-SHA256 in {@link FrameKeys}.
     */
    public FrameKeys frameKeys(String clusterName) {
        List<byte[]> stretched = new ArrayList<>();
        for (char[] s : secrets) stretched.add(derive(s, "jclsync/frame/" + clusterName, 32));
        return FrameKeys.of(stretched);
    }

    /** The password of the peers' rsync (behind their TLS transfer listeners) of {@code clusterName}, from the secret in use. */
    public String transferPassword(String clusterName) {
        return transferPassword(secrets.get(0), clusterName);
    }

    /**
     * The rsync passwords of {@code clusterName} from every secret, the one in use first: a node's
     * rsync accepts each, so pulls work both ways while the cluster changes its secret.
     */
    public List<String> transferPasswords(String clusterName) {
        return secrets.stream().map(s -> transferPassword(s, clusterName)).toList();
    }

    private static String transferPassword(char[] secret, String clusterName) {
        return HexFormat.of().formatHex(derive(secret, "jclsync/rsync/" + clusterName, 24));
    }

    private static byte[] derive(char[] secret, String purpose, int bytes) {
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
