package dev.agentwire.core.router;

import java.time.LocalDate;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where the router keeps the day's spend so that a restart does not reset the budget. The hub keeps it in
 * {@code AGENTWIRE_HOME}; the in-memory one is for tests and embedded use.
 */
public interface SpendLedger {

    /** The spend recorded for {@code day} (UTC), if any. */
    OptionalDouble spendOn(LocalDate day);

    /** Records that {@code day}'s spend is now {@code spend}; earlier days may be forgotten. */
    void record(LocalDate day, double spend);

    /** A ledger held in memory only. */
    static SpendLedger inMemory() {
        AtomicReference<Object[]> last = new AtomicReference<>();
        return new SpendLedger() {
            @Override
            public OptionalDouble spendOn(LocalDate day) {
                Object[] l = last.get();
                return l != null && l[0].equals(day) ? OptionalDouble.of((Double) l[1]) : OptionalDouble.empty();
            }

            @Override
            public void record(LocalDate day, double spend) {
                last.set(new Object[] {day, spend});
            }
        };
    }
}
