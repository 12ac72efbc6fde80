/**
 * What the daemon hands a batch to: the {@link io.jclsync.transfer.Transfer} interface and its
 * result. One-way mode implements it with rsync ({@code sync}), cluster mode with the announcer.
 * May import {@code batch} only.
 */
package io.jclsync.transfer;
