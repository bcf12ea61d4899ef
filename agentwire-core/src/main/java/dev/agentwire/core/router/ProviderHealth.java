package dev.agentwire.core.router;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.agentwire.protocol.Json;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether each provider with a health URL is up (the seed's {@code checkProviderHealth}). {@link #checkAll} asks
 * every such URL through a {@link HealthProbe} and returns at once; each answer (or its timeout) updates that
 * provider's state. A provider is healthy until a check says otherwise, so routing works before the first
 * answer; one without a health URL is always healthy. A check still running when the next is due is not started
 * twice. Thread safe.
 */
public final class ProviderHealth implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProviderHealth.class);

    /** One provider's last check: healthy or why not, and when. */
    public record State(boolean healthy, Optional<Instant> checkedAt, Optional<String> problem) {

        static final State UNCHECKED = new State(true, Optional.empty(), Optional.empty());
    }

    private final List<LlmProvider> providers;
    private final HealthProbe probe;
    private final Duration timeout;
    private final Clock clock;
    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final Set<String> checking = ConcurrentHashMap.newKeySet();

    public ProviderHealth(List<LlmProvider> providers, HealthProbe probe, Duration timeout, Clock clock) {
        this.providers = List.copyOf(providers);
        this.probe = probe;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** No provider is checked: every one is always healthy. */
    public static ProviderHealth unmonitored() {
        return new ProviderHealth(
                List.of(),
                (url, t) -> java.util.concurrent.CompletableFuture.completedFuture(Optional.empty()),
                Duration.ofSeconds(1),
                Clock.systemUTC());
    }

    /** Whether any provider has a health URL (else there is nothing to check). */
    public boolean monitors() {
        return providers.stream().anyMatch(p -> p.healthUrl().isPresent());
    }

    /** Starts a check of every provider with a health URL that is not being checked already; never blocks. */
    public void checkAll() {
        for (LlmProvider p : providers) {
            p.healthUrl().ifPresent(url -> check(p.name(), url));
        }
    }

    private void check(String name, URI url) {
        if (!checking.add(name)) {
            return; // the last check has not ended (its timeout is longer than the interval)
        }
        java.util.concurrent.CompletionStage<Optional<String>> answer;
        try {
            answer = probe.check(url, timeout);
        } catch (RuntimeException e) {
            // A probe that throws instead of answering: unhealthy, and the timer's next run checks again.
            answer = java.util.concurrent.CompletableFuture.completedFuture(Optional.of(e.toString()));
        }
        answer.whenComplete((problem, error) -> {
            Optional<String> why = error != null
                    ? Optional.of(error.toString())
                    : problem == null ? Optional.of("no answer") : problem;
            State next = new State(why.isEmpty(), Optional.of(clock.instant()), why);
            State last = states.put(name, next);
            boolean wasHealthy = last == null || last.healthy();
            if (wasHealthy && !next.healthy()) {
                log.warn("LLM provider {} is unhealthy ({}: {}); routing skips it", name, url, why.get());
            } else if (!wasHealthy && next.healthy()) {
                log.info("LLM provider {} is healthy again ({})", name, url);
            }
            checking.remove(name);
        });
    }

    /** {@code provider}'s last known state. */
    public State state(LlmProvider provider) {
        return provider.healthUrl().isEmpty() ? State.UNCHECKED : states.getOrDefault(provider.name(), State.UNCHECKED);
    }

    /** Whether routing may pick {@code provider}. */
    public boolean healthy(LlmProvider provider) {
        return state(provider).healthy();
    }

    /** {@code [{name, healthy, monitored, checkedAt?, problem?}]} for every provider, as the budget shows it. */
    public ArrayNode describe(List<LlmProvider> all) {
        ArrayNode out = Json.mapper().createArrayNode();
        for (LlmProvider p : all) {
            State s = state(p);
            var o = out.addObject().put("name", p.name()).put("healthy", s.healthy());
            o.put("monitored", p.healthUrl().isPresent());
            s.checkedAt()
                    .ifPresent(t ->
                            o.put("checkedAt", t.truncatedTo(ChronoUnit.SECONDS).toString()));
            s.problem().ifPresent(x -> o.put("problem", x));
        }
        return out;
    }

    @Override
    public void close() {
        probe.close();
    }
}
