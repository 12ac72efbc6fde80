package io.jclsync.cluster.wire;

/** A message from a peer broke a rule of the protocol; the message says which. */
public final class WireException extends Exception {
    public WireException(String message) {
        super(message);
    }
}
