package dev.agentwire.client;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * One service's circuit breaker: after {@code threshold} failures in a row it opens and calls fail fast; after
 * {@code openFor} it lets one trial call through (half-open), which closes it on success and opens it again on
 * failure. Failures are the hub's kind (no instance, timeout, instance gone, connection lost), not an error the
 * service itself answered. Thread safe.
 */
public final class CircuitBreaker {

    /** Where the breaker is. */
    public enum State {
        CLOSED,
        OPEN,
        HALF_OPEN
    }

    private final String service;
    private final int threshold;
    private final long openForNanos;
    private final LongSupplier nanoClock;
    private State state = State.CLOSED;
    private int failures;
    private long openedAt;
    private boolean trialInFlight;

    CircuitBreaker(String service, int threshold, Duration openFor, LongSupplier nanoClock) {
        this.service = service;
        this.threshold = threshold;
        this.openForNanos = openFor.toNanos();
        this.nanoClock = nanoClock;
    }

    /** The state now (an open breaker whose time is up reports half-open). */
    public synchronized State state() {
        if (state == State.OPEN && nanoClock.getAsLong() - openedAt >= openForNanos) {
            return State.HALF_OPEN;
        }
        return state;
    }

    /** Lets a call through, or throws {@link CircuitOpenException}. */
    synchronized void acquire() {
        State now = state();
        if (now == State.CLOSED) {
            return;
        }
        if (now == State.HALF_OPEN && !trialInFlight) {
            state = State.HALF_OPEN;
            trialInFlight = true;
            return;
        }
        long leftMs = Math.max(0, (openedAt + openForNanos - nanoClock.getAsLong()) / 1_000_000);
        throw new CircuitOpenException(
                service,
                now == State.HALF_OPEN
                        ? "the circuit for service " + service + " is half-open and its trial call is still running"
                        : "the circuit for service " + service + " is open after " + failures
                                + " failures in a row; it lets a trial call through in " + leftMs + " ms");
    }

    synchronized void success() {
        state = State.CLOSED;
        failures = 0;
        trialInFlight = false;
    }

    synchronized void failure() {
        failures++;
        if (state == State.HALF_OPEN || failures >= threshold) {
            state = State.OPEN;
            openedAt = nanoClock.getAsLong();
        }
        trialInFlight = false;
    }

    /** A call that neither failed nor succeeded as far as the breaker cares (the service answered an error). */
    synchronized void neutral() {
        success();
    }
}
