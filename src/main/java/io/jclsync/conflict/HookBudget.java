package io.jclsync.conflict;

import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * How long the conflict hook may take for one batch: a batch of 1,000 conflicts must not stall
 * the applier for 1,000 hook timeouts. Once the budget is spent, the default policy decides the
 * batch's other conflicts without asking the hook; that is logged once, and the number it decided
 * once the batch is over.
 *
 * <p>The policy is not told where a batch ends: the conflicts of one batch are decided one after
 * another on the applier's thread, so a batch is a run of decisions with no pause of {@code quiet}
 * or more between them. Batches applied back to back without such a pause share one budget,
 * which only makes the bound stricter.
 */
final class HookBudget {
    private static final Logger LOG = Logger.getLogger(HookBudget.class.getName());

    private final long budgetNanos;
    private final long quietNanos;
    private final LongSupplier clock;
    private final String hook;
    private long lastUse;
    private boolean used;
    private long spent;
    private int asked;
    private int skipped;

    /** @param clock nanoseconds, as {@link System#nanoTime()} */
    HookBudget(Duration budget, Duration quiet, LongSupplier clock, String hook) {
        this.budgetNanos = budget.toNanos();
        this.quietNanos = quiet.toNanos();
        this.clock = clock;
        this.hook = hook;
    }

    /** Whether the hook may be asked about the next conflict; if not, the caller uses the default policy. */
    synchronized boolean mayAsk() {
        long now = clock.getAsLong();
        if (used && now - lastUse >= quietNanos) endBatch();
        used = true;
        lastUse = now;
        if (spent < budgetNanos) {
            asked++;
            return true;
        }
        if (skipped++ == 0) {
            LOG.warning("conflict hook " + hook + ": this batch's budget of " + seconds(budgetNanos) + " is spent after "
                    + asked + " conflict(s); the default policy decides the rest of the batch (counted when it ends, "
                    + "not logged one by one)");
        }
        return false;
    }

    /** The hook ran for {@code nanos} (timed out or not). */
    synchronized void charge(long nanos) {
        spent += nanos;
        lastUse = clock.getAsLong();
    }

    private void endBatch() {
        if (skipped > 0) {
            LOG.warning("conflict hook " + hook + ": the default policy decided " + skipped + " conflict(s) of the last batch "
                    + "after the hook's budget of " + seconds(budgetNanos) + " was spent");
        }
        spent = 0;
        asked = 0;
        skipped = 0;
    }

    private static String seconds(long nanos) {
        return Duration.ofNanos(nanos).toMillis() / 1000.0 + " s";
    }
}
