/**
 * JNA declarations for inotify, poll and eventfd. Declarations and constants only, no logic.
 * Imports JNA only.
 */
package io.jclsync.watch.jna;
