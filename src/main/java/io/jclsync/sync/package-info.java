/**
 * One-way transfers: rsync (rsyncdirect), user handlers (rsyncshell, shell) and an in-process
 * copier (direct); the rsync exit-code policy, local renames and deletes.
 * May import {@code fs}, {@code filter}, {@code batch}, {@code versions}, {@code process} and {@code transfer}.
 */
package io.jclsync.sync;
