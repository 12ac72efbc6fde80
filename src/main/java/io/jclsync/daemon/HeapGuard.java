package io.jclsync.daemon;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryNotificationInfo;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

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
    private static final long WARN_EVERY_NANOS = TimeUnit.HOURS.toNanos(1);
    private static final AtomicLong lastWarned = new AtomicLong();

    /**
     * What to do, with a limit above the one that was too small: twice it, in whole GiB, at least
     * 1 GiB (the launcher's default is a quarter of the machine's memory, so a fixed "-Xmx1g" could be
     * lower than what just ran out).
     */
    static String how(long maxHeapBytes) {
        long gib = Math.max(1, (2 * maxHeapBytes + (1L << 30) - 1) >> 30);
        return "raise the heap limit: JCLSYNC_JAVA_OPTS=\"-XX:+UseSerialGC -Xmx" + gib + "g\" (it replaces the"
                + " launcher's JVM options; README, \"Limits and requirements\")";
    }

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
                // What the JDK prints when there is no default handler. Not the thread group's
                // uncaughtException: at the top group it hands the throwable to the default
                // handler, this one, again (checked on JDK 17 and 25: it recurses until the stack
                // overflows).
                System.err.print("Exception in thread \"" + thread.getName() + "\" ");
                e.printStackTrace();
            }
        });
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            long max = pool.getUsage().getMax();
            // The old generation only: a survivor space is often nearly full right after a collection.
            boolean old = pool.getName().contains("Old") || pool.getName().contains("Tenured");
            if (!old || pool.getType() != MemoryType.HEAP || !pool.isCollectionUsageThresholdSupported() || max <= 0) continue;
            pool.setCollectionUsageThreshold((long) (max * NEARLY_FULL));
        }
        ((NotificationEmitter) ManagementFactory.getMemoryMXBean()).addNotificationListener((n, handback) -> {
            if (!MemoryNotificationInfo.MEMORY_COLLECTION_THRESHOLD_EXCEEDED.equals(n.getType())) return;
            // Told after every collection that ends above the threshold: said once an hour at most.
            long now = System.nanoTime();
            long last = lastWarned.get();
            if (last != 0 && now - last < WARN_EVERY_NANOS || !lastWarned.compareAndSet(last, now == 0 ? 1 : now)) return;
            MemoryUsage after = MemoryNotificationInfo.from((CompositeData) n.getUserData()).getUsage();
            LOG.warning("the Java heap is nearly full after garbage collection (" + mib(after.getUsed()) + " of "
                    + mib(after.getMax()) + " MiB of long-lived objects; heap limit " + mib(maxHeap())
                    + " MiB): this tree may need more memory; " + how(maxHeap()));
        }, null, null);
    }

    /** Out of memory: one clear line, then exit 1 at once (other threads may be out of memory too). */
    static void outOfMemory(String thread, OutOfMemoryError e) {
        try {
            System.err.println("jclsync: error: out of memory (" + e.getMessage() + ", in thread " + thread
                    + "; heap limit " + mib(maxHeap()) + " MiB): this tree needs more memory; " + how(maxHeap()));
            System.err.flush();
        } finally {
            Runtime.getRuntime().halt(1);
        }
    }

    private static long maxHeap() {
        return Runtime.getRuntime().maxMemory();
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }
}
