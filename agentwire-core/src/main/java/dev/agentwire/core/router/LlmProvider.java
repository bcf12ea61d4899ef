package dev.agentwire.core.router;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An LLM the router may pick.
 *
 * @param name shown to callers, e.g. {@code Claude Sonnet 4}
 * @param costPer1M dollars per million tokens
 * @param contextTokens the largest request it takes
 * @param latencyMs its typical response time
 * @param quality 0 to 1
 * @param capabilities task types it is good at (coding, reasoning, creative, analysis, ...)
 * @param healthUrl an http(s) URL that answers 2xx while the provider is up ({@link ProviderHealth}); none: never
 *     checked, always a candidate
 */
public record LlmProvider(
        String name,
        double costPer1M,
        int contextTokens,
        int latencyMs,
        double quality,
        Set<String> capabilities,
        Optional<URI> healthUrl) {

    private static final Pattern FORM =
            Pattern.compile("([^=]+)=([0-9.]+)/([0-9]+)/([0-9]+)/([0-9.]+)/([A-Za-z0-9_+\\-]*)(?:\\s+healthUrl=(.*))?");

    private static final List<String> KEYS =
            List.of("name", "costPer1M", "context", "latencyMs", "quality", "capabilities", "healthUrl");

    /**
     * A {@code router.providers} item: {@code NAME=COST_PER_1M/CONTEXT/LATENCY_MS/QUALITY/CAP+CAP} with an optional
     * {@code " healthUrl=URL"}, or a YAML mapping (given here as its JSON) with the keys {@code name, costPer1M,
     * context, latencyMs, quality, capabilities, healthUrl}.
     */
    public static LlmProvider parse(String text) {
        String t = text.trim();
        if (t.startsWith("{")) {
            return parseMapping(t);
        }
        Matcher m = FORM.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "expected NAME=COST_PER_1M/CONTEXT/LATENCY_MS/QUALITY/CAP+CAP [healthUrl=URL], like Local"
                            + " Llama=0/8000/800/0.75/coding+reasoning, or a mapping with " + KEYS);
        }
        String name = m.group(1).trim();
        try {
            return new LlmProvider(
                    name,
                    Double.parseDouble(m.group(2)),
                    Integer.parseInt(m.group(3)),
                    Integer.parseInt(m.group(4)),
                    Double.parseDouble(m.group(5)),
                    Set.of(m.group(6).isEmpty() ? new String[0] : m.group(6).split("\\+")),
                    m.group(7) == null ? Optional.empty() : Optional.of(healthUrl(name, m.group(7))));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a number in " + text + " is out of range");
        }
    }

    private static LlmProvider parseMapping(String json) {
        JsonNode n;
        try {
            n = Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("a provider mapping that is not plain keys and values: " + json);
        }
        n.fieldNames().forEachRemaining(k -> {
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("a provider has no key " + k + " (its keys: " + KEYS + ")");
            }
        });
        String name = n.path("name").isTextual() ? n.path("name").textValue() : "";
        List<String> caps = new ArrayList<>();
        JsonNode c = n.path("capabilities");
        if (c.isArray()) {
            c.forEach(x -> caps.add(x.asText()));
        } else if (c.isTextual() && !c.textValue().isEmpty()) {
            caps.addAll(List.of(c.textValue().split("\\+")));
        } else if (!c.isMissingNode() && !c.isNull()) {
            throw new IllegalArgumentException("capabilities of provider " + name + " must be a list");
        }
        JsonNode url = n.path("healthUrl");
        if (!url.isMissingNode() && !url.isNull() && !url.isTextual()) {
            throw new IllegalArgumentException("healthUrl of provider " + name + " must be a URL, got " + url);
        }
        return new LlmProvider(
                name,
                number(n, name, "costPer1M"),
                (int) whole(n, name, "context"),
                (int) whole(n, name, "latencyMs"),
                number(n, name, "quality"),
                Set.copyOf(caps),
                url.isTextual() ? Optional.of(healthUrl(name, url.textValue())) : Optional.empty());
    }

    private static double number(JsonNode n, String name, String key) {
        JsonNode v = n.path(key);
        if (!v.isNumber()) {
            throw new IllegalArgumentException("provider " + name + " needs " + key + " (a number)");
        }
        return v.doubleValue();
    }

    private static long whole(JsonNode n, String name, String key) {
        JsonNode v = n.path(key);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException("provider " + name + " needs " + key + " (a whole number)");
        }
        return v.longValue();
    }

    /** A health URL as written: absolute http or https, with a host. */
    static URI healthUrl(String provider, String text) {
        String why = "healthUrl of provider " + provider + " must be an http:// or https:// URL with a host, got '"
                + text + "'";
        URI u;
        try {
            u = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(why + " (" + e.getReason() + ")");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null) {
            throw new IllegalArgumentException(why);
        }
        return u;
    }

    /** A provider without a health URL. */
    public LlmProvider(
            String name, double costPer1M, int contextTokens, int latencyMs, double quality, Set<String> capabilities) {
        this(name, costPer1M, contextTokens, latencyMs, quality, capabilities, Optional.empty());
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
        java.util.Objects.requireNonNull(healthUrl, "healthUrl (Optional.empty() for none)");
    }

    /** What a request of {@code tokens} tokens costs, in dollars. */
    public double cost(long tokens) {
        return tokens * costPer1M / 1_000_000;
    }
}
