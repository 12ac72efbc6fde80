package io.jclsync.batch;

import java.time.Duration;

/**
 * Batching delays, as clsync names them.
 *
 * @param collect          {@code -t}: how long events collect after the first one before a sync
 * @param bigfileCollect   {@code -T}: the same for files of at least {@code bigfileThreshold} bytes
 * @param bigfileThreshold {@code -B}: size in bytes from which a file waits on the big-file timer
 * @param betweenSyncs     {@code -w}: minimum time from the end of one sync to the start of the next
 * @param foldThreshold    queued entries in one directory above which they fold into the directory
 */
public record Delays(Duration collect, Duration bigfileCollect, long bigfileThreshold, Duration betweenSyncs,
                     int foldThreshold) {
    public static final int DEFAULT_FOLD_THRESHOLD = 1000;
}
