package dev.agentwire.core;

/** A source of monotonic nanoseconds, injected so that tests move time instead of sleeping. */
@FunctionalInterface
public interface Ticker {

    /** The system's monotonic clock. */
    Ticker SYSTEM = System::nanoTime;

    long nanoTime();
}
