/**
 * Every decision on a peer's change, as functions of their inputs where possible: what a change does
 * here ({@link io.jclsync.conflict.Resolution}), what a delete takes and leaves
 * ({@link io.jclsync.conflict.PeerDelete}), whether a rename moves what is here
 * ({@link io.jclsync.conflict.PeerRename}), a directory that became a file or link
 * ({@link io.jclsync.conflict.TypeChange}), where a pulled file goes when its path changed meanwhile
 * ({@link io.jclsync.conflict.PulledPlace}); which of two conflicting versions keeps the path (the
 * default policy or the user's hook script), the copy the other is kept as, and subtrees decided as
 * a unit ({@link io.jclsync.conflict.SubtreeConflicts}). {@code apply} carries the decisions out.
 * May import {@code fs}, {@code state} and {@code cluster.wire} (the changes it decides on) only.
 */
package io.jclsync.conflict;
