package io.jclsync.cluster.frame;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;

/**
 * Which frame counters each sender has already used. A sender's counter is its clock in
 * microseconds, moved on by one when two frames fall in the same microsecond, so it only grows
 * and says when the frame was sealed. A frame is accepted once, and only:
 * <ul>
 *   <li>from a sender not seen before, if it was sealed at most {@link #MAX_AGE_MICROS} ago by this
 *       node's clock (a capture older than that cannot be replayed to a node that restarted since);</li>
 *   <li>from a known sender, if its counter is new and above the oldest of the last {@link #KEPT}
 *       accepted (frames overtake each other only a little: several threads seal and send), and not
 *       more than {@link #FIRST_SLACK_MICROS} before the first frame accepted from it.</li>
 * </ul>
 * Senders are addresses of member incarnations (a restarted node has a new one); the least
 * recently heard are forgotten past {@link #SENDERS}, and then fall under the first rule again.
 */
final class ReplayWindows {
    static final long MAX_AGE_MICROS = TimeUnit.SECONDS.toMicros(120);
    static final long FIRST_SLACK_MICROS = TimeUnit.SECONDS.toMicros(2);
    static final int KEPT = 512;
    static final int SENDERS = 1024;

    /** Why a counter was refused, or null. */
    enum Verdict { FRESH, REPLAYED, TOO_OLD }

    private static final class Window {
        final long floor;
        final TreeSet<Long> recent = new TreeSet<>();

        Window(long floor) {
            this.floor = floor;
        }
    }

    private final Map<Address, Window> windows = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Address, Window> eldest) {
            return size() > SENDERS;
        }
    };

    /** Whether {@code counter} from {@code sender} would be accepted now; records nothing. */
    synchronized Verdict check(Address sender, long counter, long nowMicros) {
        Window w = windows.get(sender);
        if (w == null) return counter >= nowMicros - MAX_AGE_MICROS ? Verdict.FRESH : Verdict.TOO_OLD;
        if (counter < w.floor) return Verdict.TOO_OLD;
        if (w.recent.contains(counter)) return Verdict.REPLAYED;
        if (w.recent.size() >= KEPT && counter < w.recent.first()) return Verdict.TOO_OLD;
        return Verdict.FRESH;
    }

    /** Records an authenticated frame; false (and nothing recorded) if it was not {@link Verdict#FRESH}. */
    synchronized boolean accept(Address sender, long counter, long nowMicros) {
        if (check(sender, counter, nowMicros) != Verdict.FRESH) return false;
        Window w = windows.computeIfAbsent(sender, s -> new Window(counter - FIRST_SLACK_MICROS));
        w.recent.add(counter);
        if (w.recent.size() > KEPT) w.recent.pollFirst();
        return true;
    }
}
