package dev.agentwire.core.router;

import java.util.List;
import java.util.Set;

/** The router's providers and its daily budget in dollars. */
public record RouterSettings(double dailyBudget, List<LlmProvider> providers) {

    public RouterSettings {
        if (dailyBudget < 0) {
            throw new IllegalArgumentException("the daily budget must be >= 0, got " + dailyBudget);
        }
        providers = List.copyOf(providers);
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
