/**
 * Recursive Linux inotify watcher: turns kernel events into {@link io.jclsync.watch.FsEvent}s
 * (paths relative to the watch dir) and reports overflow as a rescan request.
 * May import {@code fs}, {@code filter} and {@code watch.jna}.
 */
package io.jclsync.watch;
