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

    private static final java.util.regex.Pattern FORM =
            java.util.regex.Pattern.compile("([^=]+)=([0-9.]+)/([0-9]+)/([0-9]+)/([0-9.]+)/([A-Za-z0-9_+\\-]*)");

    /** {@code NAME=COST_PER_1M/CONTEXT/LATENCY_MS/QUALITY/CAP+CAP} (the {@code router.providers} items). */
    public static LlmProvider parse(String text) {
        java.util.regex.Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "expected NAME=COST_PER_1M/CONTEXT/LATENCY_MS/QUALITY/CAP+CAP, like Local"
                            + " Llama=0/8000/800/0.75/coding+reasoning");
        }
        try {
            return new LlmProvider(
                    m.group(1).trim(),
                    Double.parseDouble(m.group(2)),
                    Integer.parseInt(m.group(3)),
                    Integer.parseInt(m.group(4)),
                    Double.parseDouble(m.group(5)),
                    Set.of(m.group(6).isEmpty() ? new String[0] : m.group(6).split("\\+")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a number in " + text + " is out of range");
        }
    }

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
