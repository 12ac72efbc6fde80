/**
 * Transfers: rsync (rsyncdirect), user handlers (rsyncshell, shell) and an in-process copier
 * (direct); list-file encoding, the rsync exit-code policy and child processes.
 * May import {@code fs}, {@code filter} and {@code batch}.
 */
package io.jclsync.sync;
