/**
 * The cluster wire format: {@link io.jclsync.cluster.wire.WireMessage} records and the codec that
 * turns them into protobuf and back, validating everything a peer sends. The generated protobuf
 * classes ({@code cluster.wire.proto}) are used here and nowhere else. May import {@code fs} and {@code state} only.
 */
package io.jclsync.cluster.wire;
