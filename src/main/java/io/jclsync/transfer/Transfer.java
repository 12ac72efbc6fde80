package io.jclsync.transfer;

import io.jclsync.batch.Batch;
import java.util.function.Consumer;

/** Applies a batch to the destination. Implementations are called from one thread at a time. */
public interface Transfer {
    /**
     * @throws InterruptedException when the daemon is stopping; any child process has been stopped
     *                              and reaped by then
     */
    TransferResult run(Batch batch) throws InterruptedException;

    /**
     * Where to report the progress of a full sync: the transfer's progress lines (for rsync,
     * {@code --info=progress2}). Transfers that cannot tell ignore it.
     */
    default void onProgress(Consumer<String> listener) {
    }
}
