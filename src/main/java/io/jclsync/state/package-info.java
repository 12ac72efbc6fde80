/**
 * This node's view of its tree: {@link io.jclsync.state.FileState} (read and hashed from disk by
 * {@link io.jclsync.state.FileStates}) and the {@link io.jclsync.state.Index} of version vectors
 * ({@link io.jclsync.state.VersionVector}) and tombstones, numbered, journaled and saved by its
 * {@link io.jclsync.state.IndexLog}. May import {@code fs} only.
 */
package io.jclsync.state;
