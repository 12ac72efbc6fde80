/**
 * Child programs: running one with a deadline and bounded output ({@link io.jclsync.process.ProcessRunner}),
 * and the NUL-separated list files rsync reads ({@link io.jclsync.process.ListFile}).
 * Shared by one-way transfers, cluster pulls and hooks. May import {@code fs} only.
 */
package io.jclsync.process;
