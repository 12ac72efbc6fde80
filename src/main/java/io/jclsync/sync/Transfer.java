package io.jclsync.sync;

import io.jclsync.batch.Batch;

/** Applies a batch to the destination. Implementations are called from one thread at a time. */
public interface Transfer {
    /**
     * @throws InterruptedException when the daemon is stopping; any child process has been stopped
     *                              and reaped by then
     */
    TransferResult run(Batch batch) throws InterruptedException;
}
