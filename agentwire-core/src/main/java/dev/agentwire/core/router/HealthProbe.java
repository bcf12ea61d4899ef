package dev.agentwire.core.router;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Asks a provider's health URL whether it is up. Implementations never block the calling thread. */
@FunctionalInterface
public interface HealthProbe extends AutoCloseable {

    /**
     * Checks {@code url}, giving up after {@code timeout}.
     *
     * @return empty when the provider is healthy, else why not ({@code HTTP 503}, {@code no answer within 5000 ms},
     *     {@code connection refused}); never completes exceptionally
     */
    CompletionStage<Optional<String>> check(URI url, Duration timeout);

    /** Stops whatever the probe started; checks in flight may end as unhealthy. */
    @Override
    default void close() {}
}
