package dev.agentwire.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/** How long to wait before reconnect attempt {@code n} (1-based). */
@FunctionalInterface
public interface BackoffPolicy {

    Duration delay(int attempt);

    /** 1 s, 2 s, 4 s … capped at 30 s, each spread by ±20% jitter (the seeds' policy). */
    static BackoffPolicy exponential() {
        return exponential(
                Duration.ofSeconds(1),
                Duration.ofSeconds(30),
                0.2,
                () -> ThreadLocalRandom.current().nextDouble());
    }

    /**
     * {@code initial × 2^(attempt-1)}, capped at {@code max}, times a factor drawn uniformly from
     * {@code [1-jitter, 1+jitter]} with {@code random} (values in [0,1)).
     */
    static BackoffPolicy exponential(Duration initial, Duration max, double jitter, DoubleSupplier random) {
        if (jitter < 0 || jitter >= 1) {
            throw new IllegalArgumentException("jitter must be in [0, 1): " + jitter);
        }
        return attempt -> {
            if (attempt < 1) {
                throw new IllegalArgumentException("attempt starts at 1: " + attempt);
            }
            double base =
                    Math.min((double) max.toMillis(), initial.toMillis() * Math.pow(2, Math.min(attempt - 1, 30)));
            double factor = 1 - jitter + 2 * jitter * random.getAsDouble();
            return Duration.ofMillis(Math.round(base * factor));
        };
    }
}
