package dev.agentwire.core.router;

import dev.agentwire.core.Setting;
import dev.agentwire.core.Setting.Kind;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The router's providers, its daily budget in dollars, and how often and how patiently providers' health URLs
 * are checked (the spend is logged on the same interval); no providers means the seed's table.
 */
@Setting.Section("router")
public record RouterSettings(
        @Setting(
                value = "100",
                kind = Kind.DECIMAL,
                min = 0,
                max = 1_000_000_000_000L,
                doc = "the LLM router's daily budget in dollars")
        double dailyBudget,

        @Setting(
                value = "",
                kind = Kind.LIST,
                doc = "LLM providers as NAME=COST_PER_1M/CONTEXT/LATENCY_MS/QUALITY/CAP+CAP... [healthUrl=URL], e.g."
                        + " 'Local Llama=0/8000/800/0.75/coding+reasoning', or YAML mappings {name, costPer1M,"
                        + " context, latencyMs, quality, capabilities, healthUrl}; empty: the seed's four")
        List<LlmProvider> providers,

        @Setting(
                key = "healthIntervalMs",
                value = "300000",
                kind = Kind.MILLIS,
                min = 100,
                max = 86_400_000,
                doc = "how often providers' health URLs are checked and the day's spend is logged (the seed's"
                        + " 5 minutes)")
        Duration healthInterval,

        @Setting(
                key = "healthTimeoutMs",
                value = "5000",
                kind = Kind.MILLIS,
                min = 1,
                max = 600_000,
                doc = "how long a health URL may take to answer before its provider counts as unhealthy")
        Duration healthTimeout) {

    /** The seed's interval: every 5 minutes. */
    public static final Duration DEFAULT_HEALTH_INTERVAL = Duration.ofMinutes(5);

    public static final Duration DEFAULT_HEALTH_TIMEOUT = Duration.ofSeconds(5);

    public RouterSettings {
        if (dailyBudget < 0) {
            throw new IllegalArgumentException("the daily budget must be >= 0, got " + dailyBudget);
        }
        if (healthInterval.isNegative()
                || healthInterval.isZero()
                || healthTimeout.isNegative()
                || healthTimeout.isZero()) {
            throw new IllegalArgumentException("the health interval and timeout must be positive, got "
                    + healthInterval.toMillis() + " ms and " + healthTimeout.toMillis() + " ms");
        }
        providers = providers.isEmpty() ? seedProviders() : List.copyOf(providers);
    }

    /** A budget and providers, checked at the default interval and timeout. */
    public RouterSettings(double dailyBudget, List<LlmProvider> providers) {
        this(dailyBudget, providers, DEFAULT_HEALTH_INTERVAL, DEFAULT_HEALTH_TIMEOUT);
    }

    /** The seed's table. */
    public static List<LlmProvider> seedProviders() {
        return List.of(
                new LlmProvider(
                        "Claude Sonnet 4",
                        15.00,
                        200_000,
                        2000,
                        0.95,
                        Set.of("coding", "reasoning", "creative", "analysis")),
                new LlmProvider("GPT-4 Turbo", 10.00, 128_000, 1500, 0.90, Set.of("coding", "reasoning", "creative")),
                new LlmProvider("Gemini Pro", 7.00, 32_000, 1200, 0.85, Set.of("reasoning", "creative", "analysis")),
                new LlmProvider("Local Llama", 0.00, 8_000, 800, 0.75, Set.of("coding", "reasoning")));
    }

    /** The seed's table and its $100 budget. */
    public static RouterSettings defaults() {
        return new RouterSettings(100.0, seedProviders());
    }
}
