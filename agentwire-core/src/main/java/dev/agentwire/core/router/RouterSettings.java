package dev.agentwire.core.router;

import dev.agentwire.core.Setting;
import dev.agentwire.core.Setting.Kind;
import java.util.List;
import java.util.Set;

/** The router's providers and its daily budget in dollars; no providers means the seed's table. */
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
                doc = "LLM providers as NAME=COST_PER_1M/CONTEXT/LATENCY_MS/QUALITY/CAP+CAP..., e.g. 'Local"
                        + " Llama=0/8000/800/0.75/coding+reasoning'; empty: the seed's four")
        List<LlmProvider> providers) {

    public RouterSettings {
        if (dailyBudget < 0) {
            throw new IllegalArgumentException("the daily budget must be >= 0, got " + dailyBudget);
        }
        providers = providers.isEmpty() ? seedProviders() : List.copyOf(providers);
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
