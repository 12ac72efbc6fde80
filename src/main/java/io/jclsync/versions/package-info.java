/**
 * Keeping what is replaced: the versions store (old versions renamed out of a tree, named by
 * path and time), the versioning policies (trash, simple, staggered) and their expiry.
 * Imports the JDK and {@code fs} only.
 */
package io.jclsync.versions;
