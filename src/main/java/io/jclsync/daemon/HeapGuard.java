package io.jclsync.daemon;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryNotificationInfo;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.logging.Logger;
import javax.management.NotificationEmitter;

/**
 * A heap too small for the tree is a clear error naming the option, never an
 * {@link OutOfMemoryError} stack: a warning once the heap stays nearly full after a collection (while
 * there is still time to act), and, if it runs out all the same, one line on standard error and exit
 * code 1 instead of a half-dead daemon whose threads died one by one.
 */
public final class HeapGuard {
    private static final Logger LOG = Logger.getLogger(HeapGuard.class.getName());
    /** Share of the heap still in use after a collection at which the warning is logged. */
    static final double NEARLY_FULL = 0.85;
    static final String HOW = "raise the heap limit: JCLSYNC_JAVA_OPTS=\"-XX:+UseSerialGC -Xmx1g\" (it replaces the"
            + " launcher's JVM options; README, \"Limits and requirements\")";

    private HeapGuard() {
    }

    /** Installs the warning and the handler for the whole process (once, from main). */
    public static void install() {
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            if (e instanceof OutOfMemoryError) outOfMemory(thread.getName(), (OutOfMemoryError) e);
            if (previous != null) {
                previous.uncaughtException(thread, e);
            } else {
                System.err.print("Exception in thread \"" + thread.getName() + "\" ");
                e.printStackTrace();
            }
        });
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            long max = pool.getUsage().getMax();
            if (pool.getType() != MemoryType.HEAP || !pool.isCollectionUsageThresholdSupported() || max <= 0) continue;
            pool.setCollectionUsageThreshold((long) (max * NEARLY_FULL));
        }
        ((NotificationEmitter) ManagementFactory.getMemoryMXBean()).addNotificationListener((n, handback) -> {
            if (!MemoryNotificationInfo.MEMORY_COLLECTION_THRESHOLD_EXCEEDED.equals(n.getType())) return;
            LOG.warning("the Java heap is nearly full after garbage collection (" + mib(usedHeap()) + " of "
                    + mib(maxHeap()) + " MiB in use): this tree needs more memory; " + HOW);
        }, null, null);
    }

    /** Out of memory: one clear line, then exit 1 at once (other threads may be out of memory too). */
    static void outOfMemory(String thread, OutOfMemoryError e) {
        try {
            System.err.println("jclsync: error: out of memory (" + e.getMessage() + ", in thread " + thread
                    + "; heap limit " + mib(maxHeap()) + " MiB): this tree needs more memory; " + HOW);
            System.err.flush();
        } finally {
            Runtime.getRuntime().halt(1);
        }
    }

    private static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long maxHeap() {
        return Runtime.getRuntime().maxMemory();
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }
}
