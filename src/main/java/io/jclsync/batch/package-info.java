/**
 * Coalescing and delays: per-path change state, rename chains, folding of busy directories,
 * the big-file queue, and the {@link io.jclsync.batch.Batch} handed to a transfer.
 * May import {@code fs} and {@code watch} (for {@link io.jclsync.watch.FsEvent}) only.
 */
package io.jclsync.batch;
