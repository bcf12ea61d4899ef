package dev.agentwire.core.router;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.HubException;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Json;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Picks a provider by the seed's score and tracks the day's spend (UTC days). Thread safe.
 *
 * <p>The score is the seed's: {@code quality × costFactor × latencyFactor}, where the cost factor is 0.1 if the
 * request would exceed the remaining budget and {@code 1 − cost/20} otherwise (1 for free providers), and the
 * latency factor 0.3 if the provider is slower than {@code max_latency} and {@code 1 − latency/5000} otherwise.
 *
 * <p>Priority differs from the seed on purpose. The seed multiplies every provider's quality by 1.2 and cost
 * factor by 0.8 for {@code high} (0.9 and 1.3 for {@code low}): the same numbers for every provider, which
 * cannot change which one wins. Here {@code high} weighs the cost penalty 0.8× and raises quality to the power
 * 1.2 (lower qualities lose more), {@code low} weighs the cost penalty 1.3× and uses quality^0.9, so a high
 * priority does buy quality and a low one does save money. Added to the seed: a provider without the task
 * type's capability scores × 0.2, and one whose context is smaller than the request cannot be picked at all.
 */
public final class LlmRouter {

    /** What a capability miss multiplies the score by. */
    static final double MISSING_CAPABILITY = 0.2;

    /** The cost factor never falls below this while within budget (an expensive provider stays a candidate). */
    static final double MIN_COST_FACTOR = 0.05;

    private final RouterSettings settings;
    private final Clock clock;
    private final SpendLedger ledger;
    private final ProviderHealth health;
    private LocalDate day;
    private double spend;

    public LlmRouter(RouterSettings settings, Clock clock) {
        this(settings, clock, SpendLedger.inMemory());
    }

    /** A router that starts from the day's spend in {@code ledger} and records every spend there. */
    public LlmRouter(RouterSettings settings, Clock clock, SpendLedger ledger) {
        this(settings, clock, ledger, ProviderHealth.unmonitored());
    }

    /** A router that also skips the providers {@code health} finds unhealthy. */
    public LlmRouter(RouterSettings settings, Clock clock, SpendLedger ledger, ProviderHealth health) {
        this.settings = settings;
        this.clock = clock;
        this.ledger = ledger;
        this.health = health;
        this.day = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        this.spend = ledger.spendOn(day).orElse(0);
    }

    /** A routing request. {@code maxLatencyMs} 0 means no bound; {@code priority} is high, normal or low. */
    public record Request(long tokenCount, Optional<String> taskType, String priority, long maxLatencyMs) {

        public Request {
            if (tokenCount < 0) {
                throw HubException.of(
                        ErrorCode.INVALID_PARAMS,
                        "invalid_params",
                        "token_count must be zero or more, got " + tokenCount);
            }
            if (maxLatencyMs < 0) {
                throw HubException.of(
                        ErrorCode.INVALID_PARAMS,
                        "invalid_params",
                        "max_latency must be zero (no bound) or more, got " + maxLatencyMs);
            }
            if (!List.of("high", "normal", "low").contains(priority)) {
                throw HubException.of(
                        ErrorCode.INVALID_PARAMS,
                        "invalid_params",
                        "priority must be high, normal or low, got " + priority);
            }
        }
    }

    /** One provider's score and its factors. */
    public record Score(
            LlmProvider provider,
            double score,
            double quality,
            double costFactor,
            double latencyFactor,
            boolean capable,
            boolean fits) {}

    /**
     * Scores every provider for {@code request}, best first; providers that cannot fit it, or that their health URL
     * says are down, are left out.
     */
    public synchronized List<Score> scores(Request request) {
        rollDay();
        double remaining = settings.dailyBudget() - spend;
        List<Score> out = new ArrayList<>();
        for (LlmProvider p : settings.providers()) {
            boolean fits = request.tokenCount() <= p.contextTokens();
            if (!fits || !health.healthy(p)) {
                continue;
            }
            // Priority: high weighs cost 20% less and sharpens quality, low weighs cost 30% more and flattens it.
            double costWeight = 1.0;
            double qualityExponent = 1.0;
            switch (request.priority()) {
                case "high" -> {
                    costWeight = 0.8;
                    qualityExponent = 1.2;
                }
                case "low" -> {
                    costWeight = 1.3;
                    qualityExponent = 0.9;
                }
                default -> {}
            }
            double quality = Math.pow(p.quality(), qualityExponent);
            double costFactor = 1.0;
            if (p.costPer1M() > 0) {
                costFactor = p.cost(request.tokenCount()) > remaining
                        ? 0.1
                        : Math.max(MIN_COST_FACTOR, 1.0 - costWeight * p.costPer1M() / 20.0);
            }
            double latencyFactor = request.maxLatencyMs() > 0 && p.latencyMs() > request.maxLatencyMs()
                    ? 0.3
                    : Math.max(0, 1.0 - p.latencyMs() / 5000.0);
            boolean capable = request.taskType().isEmpty()
                    || p.capabilities().contains(request.taskType().get());
            double score = quality * costFactor * latencyFactor * (capable ? 1.0 : MISSING_CAPABILITY);
            out.add(new Score(p, score, quality, costFactor, latencyFactor, capable, true));
        }
        out.sort(Comparator.comparingDouble(Score::score).reversed());
        return out;
    }

    /** {@code router/route}: the best provider, why, its estimated cost and the confidence of the choice. */
    public ObjectNode route(Request request) {
        List<Score> scores = scores(request);
        List<String> unhealthy = settings.providers().stream()
                .filter(p -> !health.healthy(p))
                .map(LlmProvider::name)
                .toList();
        if (scores.isEmpty() && !unhealthy.isEmpty()) {
            var data = HubException.reasonData("no_healthy_provider");
            data.put("token_count", request.tokenCount());
            unhealthy.forEach(data.putArray("unhealthy")::add);
            throw HubException.withData(
                    ErrorCode.NO_PROVIDER,
                    "no healthy provider takes " + request.tokenCount() + " tokens (unhealthy: "
                            + String.join(", ", unhealthy) + ")",
                    data);
        }
        if (scores.isEmpty()) {
            var data = HubException.reasonData("no_provider_fits");
            data.put("token_count", request.tokenCount());
            throw HubException.withData(
                    ErrorCode.NO_PROVIDER,
                    "no provider takes " + request.tokenCount() + " tokens (largest context: "
                            + settings.providers().stream()
                                    .mapToInt(LlmProvider::contextTokens)
                                    .max()
                                    .orElse(0) + ")",
                    data);
        }
        Score best = scores.get(0);
        double runnerUp = scores.size() > 1 ? scores.get(1).score() : 0;
        double confidence = best.score() + runnerUp == 0 ? 0 : best.score() / (best.score() + runnerUp);
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("provider", best.provider().name());
        out.put("reasoning", reasoning(request, best, scores, unhealthy));
        out.put("estimated_cost", round(best.provider().cost(request.tokenCount()), 6));
        out.put("confidence", round(confidence, 2));
        out.put("score", round(best.score(), 4));
        var all = out.putArray("scores");
        for (Score s : scores) {
            all.addObject().put("provider", s.provider().name()).put("score", round(s.score(), 4));
        }
        return out;
    }

    private static String reasoning(Request request, Score best, List<Score> scores, List<String> unhealthy) {
        List<String> why = new ArrayList<>();
        why.add(String.format(
                Locale.ROOT,
                "highest score %.3f (quality %.2f, cost factor %.2f, latency factor %.2f)",
                best.score(),
                best.quality(),
                best.costFactor(),
                best.latencyFactor()));
        request.taskType()
                .ifPresent(t -> why.add(
                        best.capable()
                                ? "supports " + t + " tasks"
                                : "no provider that" + " supports " + t + " scored higher"));
        if (request.maxLatencyMs() > 0) {
            why.add(
                    best.provider().latencyMs() <= request.maxLatencyMs()
                            ? "within " + request.maxLatencyMs() + " ms"
                            : "slower than " + request.maxLatencyMs() + " ms, but the best left");
        }
        if (best.provider().costPer1M() > 0 && best.costFactor() <= 0.1) {
            why.add("over the remaining budget");
        }
        if (scores.size() > 1) {
            why.add(String.format(
                    Locale.ROOT,
                    "runner-up %s at %.3f",
                    scores.get(1).provider().name(),
                    scores.get(1).score()));
        }
        if (!unhealthy.isEmpty()) {
            why.add("skipped as unhealthy: " + String.join(", ", unhealthy));
        }
        return "Selected for: " + String.join(", ", why);
    }

    /** {@code router/record}: adds what {@code tokens} tokens of {@code provider} cost to the day's spend. */
    public synchronized ObjectNode record(String provider, long tokens) {
        if (tokens < 0) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS, "invalid_params", "tokens must be zero or more, got " + tokens);
        }
        LlmProvider p = settings.providers().stream()
                .filter(x -> x.name().equals(provider))
                .findFirst()
                .orElseThrow(() -> HubException.of(
                        ErrorCode.INVALID_PARAMS,
                        "unknown_provider",
                        "no provider named " + provider + " (router.providers has "
                                + settings.providers().stream()
                                        .map(LlmProvider::name)
                                        .toList() + ")"));
        rollDay();
        spend += p.cost(tokens);
        ledger.record(day, spend);
        return budget();
    }

    /**
     * {@code {daily_budget, current_spend, remaining, utilization_pct, providers: [{name, healthy, monitored,
     * checkedAt?, problem?}]}}, as {@code /health} shows it.
     */
    public synchronized ObjectNode budget() {
        ObjectNode out = spending();
        out.set("providers", health.describe(settings.providers()));
        return out;
    }

    /** The day's spend alone: {@code {daily_budget, current_spend, remaining, utilization_pct}}. */
    public synchronized ObjectNode spending() {
        rollDay();
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("daily_budget", settings.dailyBudget());
        out.put("current_spend", round(spend, 6));
        out.put("remaining", round(settings.dailyBudget() - spend, 6));
        out.put("utilization_pct", settings.dailyBudget() == 0 ? 0 : round(100 * spend / settings.dailyBudget(), 2));
        return out;
    }

    /** One log line of the day's spend and the providers that are down (the seed's {@code logSpendingStatus}). */
    public String spendingStatus() {
        ObjectNode s = spending();
        List<String> down = settings.providers().stream()
                .filter(p -> !health.healthy(p))
                .map(LlmProvider::name)
                .toList();
        return String.format(
                Locale.ROOT,
                "LLM router: $%.2f of $%.2f spent today (%.1f%%), $%.2f left; unhealthy providers: %s",
                s.path("current_spend").asDouble(),
                s.path("daily_budget").asDouble(),
                s.path("utilization_pct").asDouble(),
                s.path("remaining").asDouble(),
                down.isEmpty() ? "none" : String.join(", ", down));
    }

    public RouterSettings settings() {
        return settings;
    }

    private void rollDay() {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        if (!today.equals(day)) {
            day = today;
            spend = 0;
        }
    }

    private static double round(double v, int places) {
        double f = Math.pow(10, places);
        return Math.round(v * f) / f;
    }
}
