/**
 * Echo suppression: what this node is about to write for a peer, so that the file-system events
 * its own writes cause are not announced back. May import {@code fs} and {@code state} only.
 */
package io.jclsync.echo;
