/**
 * Writes beneath a tree's root that no symbolic link can redirect: every path is resolved from a
 * directory handle one component at a time without following links ({@code openat2} with
 * {@code RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS}, or an {@code O_NOFOLLOW} walk where the kernel
 * lacks it), and every create, rename, delete, chmod and utimes is made relative to the handle of
 * the directory it happens in. Imports {@code fs} and JNA.
 */
package io.jclsync.beneath;
