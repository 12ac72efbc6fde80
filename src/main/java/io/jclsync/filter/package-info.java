/**
 * Include/exclude rules in clsync's syntax, first match wins, applied before anything is queued.
 * May import {@code fs} only.
 */
package io.jclsync.filter;
