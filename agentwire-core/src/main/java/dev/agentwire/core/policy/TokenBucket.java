package dev.agentwire.core.policy;

import dev.agentwire.core.Ticker;

/**
 * A token bucket: {@code ratePerSecond} tokens are added continuously up to {@code burst}; each call takes one.
 * Thread safe (synchronized; one bucket per connection, so contention is nil).
 */
public final class TokenBucket {

    private final double ratePerNano;
    private final double burst;
    private final Ticker ticker;
    private double tokens;
    private long lastNanos;

    public TokenBucket(double ratePerSecond, int burst, Ticker ticker) {
        if (ratePerSecond <= 0 || burst <= 0) {
            throw new IllegalArgumentException(
                    "rate (" + ratePerSecond + "/s) and burst (" + burst + ") must be positive");
        }
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.ticker = ticker;
        this.tokens = burst;
        this.lastNanos = ticker.nanoTime();
    }

    /**
     * Takes one token.
     *
     * @return 0 when taken, else the milliseconds until one is available (at least 1)
     */
    public synchronized long tryTake() {
        long now = ticker.nanoTime();
        tokens = Math.min(burst, tokens + (now - lastNanos) * ratePerNano);
        lastNanos = now;
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        double nanosToOne = (1 - tokens) / ratePerNano;
        return Math.max(1, (long) Math.ceil(nanosToOne / 1e6));
    }

    /** Tokens per second. */
    public double ratePerSecond() {
        return ratePerNano * 1e9;
    }

    public int burst() {
        return (int) burst;
    }
}
