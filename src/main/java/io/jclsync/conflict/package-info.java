/**
 * Conflicts: two versions of a path neither of which descends from the other. Decides which
 * version keeps the path (the default policy or the user's hook script) and names the copy the
 * other is kept as. May import {@code fs} and {@code state} only.
 */
package io.jclsync.conflict;
