package io.jclsync.daemon;

import java.time.Duration;

/** Exponential backoff: 1 s, 2 s, 4 s … capped, reset by a success. */
final class Backoff {
    private final Duration first;
    private final Duration max;
    private int failures;

    Backoff(Duration first, Duration max) {
        this.first = first;
        this.max = max;
    }

    /** The wait before the next attempt, after one more failure. */
    synchronized Duration next() {
        long millis = first.toMillis() << Math.min(failures, 20);
        failures++;
        return Duration.ofMillis(Math.min(millis, max.toMillis()));
    }

    synchronized void reset() {
        failures = 0;
    }
}
