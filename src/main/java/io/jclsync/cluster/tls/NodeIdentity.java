package io.jclsync.cluster.tls;

import io.jclsync.fs.FileTrees;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A node's transfer key: an EC P-256 key pair and a self-signed certificate for it, made at the
 * node's first start and kept in one PEM file (mode 0600) in its state dir. Peers know the node by
 * the key's {@link Fingerprint}; the certificate only carries the key into TLS, so its name and
 * dates mean nothing (nobody checks them). BouncyCastle makes the certificate (the JDK has no public
 * API for it) with the JDK's own signature provider; the TLS is the JDK's.
 */
public final class NodeIdentity {
    /** The file, in the state dir. */
    public static final String FILE = "transfer-identity.pem";
    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private final PrivateKey key;
    private final X509Certificate certificate;
    private final Fingerprint fingerprint;

    private NodeIdentity(PrivateKey key, X509Certificate certificate) {
        this.key = key;
        this.certificate = certificate;
        this.fingerprint = Fingerprint.of(certificate.getPublicKey());
    }

    /**
     * Reads {@code file}, or makes a new key and certificate there (mode 0600, written whole or not
     * at all) if it does not exist. The caller checks who owns an existing file and who may read it.
     *
     * @param node the node's name, written in the certificate's subject for people reading it
     */
    public static NodeIdentity loadOrCreate(Path file, String node) throws IOException {
        if (Files.exists(file)) return read(file);
        NodeIdentity made = create(node);
        FileTrees.writePrivately(file, made.pem());
        return made;
    }

    /** A new key pair and certificate, in memory only (a test's stranger). */
    public static NodeIdentity create(String node) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            X500Name subject = new X500Name("CN=jclsync node " + node.replaceAll("[^A-Za-z0-9._-]", "_"));
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                    new BigInteger(63, new SecureRandom()), Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(Duration.ofDays(365L * 100))), subject, pair.getPublic());
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            return new NodeIdentity(pair.getPrivate(), cert);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make an EC P-256 key and certificate: " + e, e);
        }
    }

    private static NodeIdentity read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        byte[] keyDer = null;
        byte[] certDer = null;
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            if (m.group(1).equals("PRIVATE KEY")) keyDer = der;
            else if (m.group(1).equals("CERTIFICATE")) certDer = der;
        }
        if (keyDer == null || certDer == null) {
            throw new IOException(file + " holds no PRIVATE KEY and CERTIFICATE: move it away and the node makes a new "
                    + "key at its next start (peers that pinned the old one must then forget it: see SECURITY.md)");
        }
        try {
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(keyDer));
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(certDer));
            return new NodeIdentity(key, cert);
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " is damaged (" + e.getMessage() + "): move it away and the node makes a new key "
                    + "at its next start (peers that pinned the old one must then forget it: see SECURITY.md)", e);
        }
    }

    private String pem() {
        try {
            return block("PRIVATE KEY", key.getEncoded()) + block("CERTIFICATE", certificate.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String block(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    public Fingerprint fingerprint() {
        return fingerprint;
    }

    /** TLS 1.3 only. */
    static String[] protocols() {
        return new String[] {"TLSv1.3"};
    }

    /** AES-128-GCM first: both ends are ours, and it is the cheapest per byte (AES-NI under C2). */
    static String[] cipherSuites() {
        return new String[] {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"};
    }

    /**
     * A TLS 1.3 context that presents this key and accepts only a peer whose key {@code trusted}
     * takes. No session is shared between two contexts, so a pull's context resumes nothing.
     */
    SSLContext context(PinnedTrust trusted) {
        try {
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(new KeyManager[] {new SingleKey(key, certificate)}, new TrustManager[] {trusted}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no TLS 1.3: " + e, e);
        }
    }
}
