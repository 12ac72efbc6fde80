/**
 * Conflicts: two versions of a path (or, with {@code --conflict-scope subtree:N}, of a subtree)
 * neither of which descends from the other. Decides which version keeps the path (the default
 * policy or the user's hook script), names the copy the other is kept as, and holds a subtree's
 * entries back until both sides can decide it the same way ({@link io.jclsync.conflict.SubtreeConflicts}).
 * May import {@code fs}, {@code state} and {@code cluster.wire} (the changes it decides on) only.
 */
package io.jclsync.conflict;
