package io.jclsync.batch;

import java.time.Duration;

/**
 * Batching delays, as clsync names them.
 *
 * @param collect          {@code -t}: the longest events collect after the first one before a sync
 * @param bigfileCollect   {@code -T}: the same for files of at least {@code bigfileThreshold} bytes
 * @param bigfileThreshold {@code -B}: size in bytes from which a file waits on the big-file timer
 * @param betweenSyncs     {@code -w}: minimum time from the end of one sync to the start of the next
 * @param foldThreshold    queued entries in one directory above which they fold into the directory
 * @param settle           {@code --settle}: a window falls due earlier, once no event has come for this
 *                         long (a burst is over); at least {@code collect} means never earlier
 */
public record Delays(Duration collect, Duration bigfileCollect, long bigfileThreshold, Duration betweenSyncs,
                     int foldThreshold, Duration settle) {
    public static final int DEFAULT_FOLD_THRESHOLD = 1000;

    /** Without a settle time: a window falls due {@code collect} after its first event. */
    public Delays(Duration collect, Duration bigfileCollect, long bigfileThreshold, Duration betweenSyncs,
                  int foldThreshold) {
        this(collect, bigfileCollect, bigfileThreshold, betweenSyncs, foldThreshold, collect);
    }
}
