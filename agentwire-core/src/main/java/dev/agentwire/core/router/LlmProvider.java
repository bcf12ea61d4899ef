package dev.agentwire.core.router;

import java.util.Set;

/**
 * An LLM the router may pick.
 *
 * @param name shown to callers, e.g. {@code Claude Sonnet 4}
 * @param costPer1M dollars per million tokens
 * @param contextTokens the largest request it takes
 * @param latencyMs its typical response time
 * @param quality 0 to 1
 * @param capabilities task types it is good at (coding, reasoning, creative, analysis, ...)
 */
public record LlmProvider(
        String name, double costPer1M, int contextTokens, int latencyMs, double quality, Set<String> capabilities) {

    public LlmProvider {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a provider needs a name");
        }
        if (costPer1M < 0 || contextTokens <= 0 || latencyMs < 0 || quality < 0 || quality > 1) {
            throw new IllegalArgumentException(
                    "provider " + name + ": cost and latency must be >= 0, context > 0," + " quality between 0 and 1");
        }
        capabilities = Set.copyOf(capabilities);
    }

    /** What a request of {@code tokens} tokens costs, in dollars. */
    public double cost(long tokens) {
        return tokens * costPer1M / 1_000_000;
    }
}
