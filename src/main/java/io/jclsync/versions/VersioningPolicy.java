package io.jclsync.versions;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which old versions of a path are kept, and for how long: {@code none|trash[:DAYS]|simple:N|staggered[:DAYS]}.
 * {@link #toRemove} is the whole decision, a function of the versions' times and the clock.
 */
public sealed interface VersioningPolicy {
    int DEFAULT_TRASH_DAYS = 30;
    /** Syncthing's default {@code maxAge}: about a year. */
    int DEFAULT_STAGGERED_DAYS = 365;

    /** Nothing is kept: a replaced or deleted file is gone. */
    record None() implements VersioningPolicy {
    }

    /** Every version is kept until it is {@code days} old. */
    record Trash(int days) implements VersioningPolicy {
    }

    /** The newest {@code count} versions of each path are kept, whatever their age. */
    record Simple(int count) implements VersioningPolicy {
    }

    /**
     * Syncthing's staggered versioning (lib/versioner/staggered.go), fewer versions the older they
     * are; {@code maxDays} 0 keeps the weekly ones forever.
     */
    record Staggered(int maxDays) implements VersioningPolicy {
    }

    /**
     * Syncthing's intervals: {age below which the row applies, the least time between two versions kept}.
     * The last row's end is the policy's maximum age.
     */
    private static long[][] staggeredIntervals(int maxDays) {
        long maxAge = maxDays == 0 ? Long.MAX_VALUE : Duration.ofDays(maxDays).toSeconds();
        return new long[][] {
            {Duration.ofHours(1).toSeconds(), 30},                              // first hour: one per 30 s
            {Duration.ofDays(1).toSeconds(), Duration.ofHours(1).toSeconds()},  // first day: one per hour
            {Duration.ofDays(30).toSeconds(), Duration.ofDays(1).toSeconds()},  // first 30 days: one per day
            {maxAge, Duration.ofDays(7).toSeconds()},                           // then one per week, to the max age
        };
    }

    /** @throws IllegalArgumentException naming what is wrong and what is accepted */
    static VersioningPolicy parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        int colon = v.indexOf(':');
        String kind = colon < 0 ? v : v.substring(0, colon);
        String arg = colon < 0 ? null : v.substring(colon + 1);
        return switch (kind) {
            case "none" -> {
                if (arg != null) throw bad(value, "none takes no number");
                yield new None();
            }
            case "trash" -> new Trash(arg == null ? DEFAULT_TRASH_DAYS : number(value, arg, 1, "days"));
            case "simple" -> {
                if (arg == null) throw bad(value, "simple needs the number of versions to keep per path, e.g. simple:5");
                yield new Simple(number(value, arg, 1, "versions"));
            }
            case "staggered" -> new Staggered(arg == null ? DEFAULT_STAGGERED_DAYS : number(value, arg, 0, "days"));
            default -> throw bad(value, "unknown kind '" + kind + "'");
        };
    }

    private static int number(String value, String arg, int min, String what) {
        try {
            int n = Integer.parseInt(arg);
            if (n < min || n > 100_000) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw bad(value, "'" + arg + "' is not a number of " + what + " from " + min + " to 100000");
        }
    }

    private static IllegalArgumentException bad(String value, String why) {
        return new IllegalArgumentException("'" + value + "': " + why
                + "; expected none, trash[:DAYS] (default " + DEFAULT_TRASH_DAYS + "), simple:N or staggered[:MAX_DAYS]");
    }

    /** Whether anything is kept at all. */
    default boolean keeps() {
        return !(this instanceof None);
    }

    /** Whether versions of a path are thinned out as soon as one more is kept (as Syncthing does), not only by expiry. */
    default boolean thinsOnKeep() {
        return this instanceof Simple || this instanceof Staggered;
    }

    /**
     * Which of one path's versions to remove now.
     *
     * @param times the times the versions were kept, in any order
     * @return the times to remove, oldest first
     */
    default List<Instant> toRemove(List<Instant> times, Instant now) {
        List<Instant> sorted = new ArrayList<>(times);
        sorted.sort(null);
        List<Instant> remove = new ArrayList<>();
        if (this instanceof Trash t) {
            Instant limit = now.minus(Duration.ofDays(t.days()));
            for (Instant time : sorted) if (time.isBefore(limit)) remove.add(time);
        } else if (this instanceof Simple s) {
            remove.addAll(sorted.subList(0, Math.max(0, sorted.size() - s.count())));
        } else if (this instanceof Staggered s) {
            remove.addAll(staggered(sorted, now, staggeredIntervals(s.maxDays())));
        } else {
            remove.addAll(sorted);
        }
        return remove;
    }

    /**
     * Syncthing's {@code toRemove}: walking from the oldest, a version is removed when it is closer
     * to the last one kept than the step of the interval its age falls in; any over the maximum age goes.
     */
    private static List<Instant> staggered(List<Instant> oldestFirst, Instant now, long[][] intervals) {
        List<Instant> remove = new ArrayList<>();
        long maxAge = intervals[intervals.length - 1][0];
        long prevAge = 0;
        boolean first = true;
        for (Instant time : oldestFirst) {
            long age = Duration.between(time, now).toSeconds();
            if (age > maxAge) {
                remove.add(time);
                continue;
            }
            if (first) {
                prevAge = age;
                first = false;
                continue;
            }
            long step = intervals[intervals.length - 1][1];
            for (long[] interval : intervals) {
                if (age < interval[0]) {
                    step = interval[1];
                    break;
                }
            }
            if (prevAge - age < step) {
                remove.add(time);
                continue;
            }
            prevAge = age;
        }
        return remove;
    }

    /** The form {@link #parse} reads, for logs and status. */
    default String describe() {
        if (this instanceof Trash t) return "trash:" + t.days();
        if (this instanceof Simple s) return "simple:" + s.count();
        if (this instanceof Staggered s) return "staggered:" + s.maxDays();
        return "none";
    }
}
