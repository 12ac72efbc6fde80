/**
 * TLS 1.3 for pulls: the node's transfer key and self-signed certificate, the pins of peers' keys
 * (trust on first use), the listener that serves each member's connection by a process of its own,
 * and the client's per-pull tunnel. Imports the JDK, BouncyCastle (certificates only) and {@code fs}.
 */
package io.jclsync.cluster.tls;
