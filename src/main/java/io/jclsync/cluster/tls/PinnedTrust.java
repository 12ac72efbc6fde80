package io.jclsync.cluster.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.function.Predicate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts a peer by its key alone: its chain must be one certificate whose public key's
 * {@link Fingerprint} {@code trusted} accepts. No issuer, name or date is checked (the certificates
 * are self-signed, and a node's clock must not lock it out); TLS itself proves that the peer holds
 * the private key of the certificate it sent.
 */
final class PinnedTrust extends X509ExtendedTrustManager {
    private final Predicate<Fingerprint> trusted;
    private final String expected;

    /** @param expected what {@code trusted} accepts, for the error when it refuses a key */
    PinnedTrust(Predicate<Fingerprint> trusted, String expected) {
        this.trusted = trusted;
        this.expected = expected;
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length != 1) {
            throw new CertificateException("expected the peer's one self-signed certificate, got "
                    + (chain == null ? 0 : chain.length));
        }
        Fingerprint key = Fingerprint.of(chain[0].getPublicKey());
        if (!trusted.test(key)) throw new CertificateException("transfer key " + key + " is not " + expected);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
