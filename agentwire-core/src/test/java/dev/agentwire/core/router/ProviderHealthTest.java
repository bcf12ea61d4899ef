package dev.agentwire.core.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.HubException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Health URLs as the router reads them: parsed from config, checked through a probe, skipped while down. */
class ProviderHealthTest {

    private static final Clock NOON = Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC);

    /** A probe whose answers the test gives: each check waits on a future the test completes. */
    private static final class HeldProbe implements HealthProbe {
        final List<CompletableFuture<Optional<String>>> pending = new ArrayList<>();

        @Override
        public CompletableFuture<Optional<String>> check(URI url, Duration timeout) {
            CompletableFuture<Optional<String>> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        }
    }

    private static final LlmProvider FAST =
            LlmProvider.parse("Fast=0/8000/100/0.99/coding healthUrl=http://127.0.0.1:9/h");
    private static final LlmProvider SLOW = LlmProvider.parse("Slow=1/8000/3000/0.50/coding");

    private static LlmRouter.Request req() {
        return new LlmRouter.Request(100, Optional.of("coding"), "normal", 0);
    }

    @Test
    void anUnhealthyProviderIsSkippedUntilItAnswersAgain() {
        HeldProbe probe = new HeldProbe();
        ProviderHealth health = new ProviderHealth(List.of(FAST, SLOW), probe, Duration.ofSeconds(1), NOON);
        LlmRouter r = new LlmRouter(new RouterSettings(100, List.of(FAST, SLOW)), NOON, SpendLedger.inMemory(), health);
        assertThat(health.monitors()).isTrue();
        assertThat(r.route(req()).path("provider").asText())
                .as("healthy until a check says otherwise")
                .isEqualTo("Fast");

        health.checkAll();
        health.checkAll(); // the first check has not ended: not started twice
        assertThat(probe.pending).hasSize(1);
        probe.pending.get(0).complete(Optional.of("HTTP 503"));
        JsonNode out = r.route(req());
        assertThat(out.path("provider").asText()).isEqualTo("Slow");
        assertThat(out.path("reasoning").asText()).contains("skipped as unhealthy: Fast");
        assertThat(out.path("scores")).hasSize(1);
        JsonNode fast = r.budget().path("providers").get(0);
        assertThat(fast.path("name").asText()).isEqualTo("Fast");
        assertThat(fast.path("healthy").asBoolean()).isFalse();
        assertThat(fast.path("problem").asText()).isEqualTo("HTTP 503");
        assertThat(fast.path("checkedAt").asText()).isEqualTo("2026-11-22T12:00:00Z");
        assertThat(r.budget().path("providers").get(1).path("monitored").asBoolean())
                .isFalse();
        assertThat(r.spendingStatus()).contains("unhealthy providers: Fast").contains("$0.00 of $100.00");

        health.checkAll();
        probe.pending.get(1).complete(Optional.empty());
        assertThat(r.route(req()).path("provider").asText()).isEqualTo("Fast");
        assertThat(r.budget().path("providers").get(0).path("healthy").asBoolean())
                .isTrue();
    }

    @Test
    void whenEveryFittingProviderIsDownTheRouteSaysSo() {
        HeldProbe probe = new HeldProbe();
        ProviderHealth health = new ProviderHealth(List.of(FAST), probe, Duration.ofSeconds(1), NOON);
        LlmRouter r = new LlmRouter(new RouterSettings(100, List.of(FAST)), NOON, SpendLedger.inMemory(), health);
        health.checkAll();
        probe.pending.get(0).complete(Optional.of("no answer within 1000 ms"));
        assertThatThrownBy(() -> r.route(req()))
                .isInstanceOf(HubException.class)
                .hasMessage("no healthy provider takes 100 tokens (unhealthy: Fast)")
                .satisfies(e ->
                        assertThat(((HubException) e).toRpcError().reason()).isEqualTo("no_healthy_provider"));
    }

    @Test
    void aProbeThatThrowsMakesTheProviderUnhealthyAndIsAskedAgainNextTime() {
        List<URI> asked = new ArrayList<>();
        ProviderHealth health = new ProviderHealth(
                List.of(FAST),
                (url, timeout) -> {
                    asked.add(url);
                    throw new IllegalStateException("probe broke");
                },
                Duration.ofSeconds(1),
                NOON);
        health.checkAll();
        assertThat(health.healthy(FAST)).isFalse();
        assertThat(health.state(FAST).problem()).contains("java.lang.IllegalStateException: probe broke");
        health.checkAll();
        assertThat(asked).hasSize(2);
    }

    @Test
    void healthUrlsAreParsedFromBothFormsAndBadOnesAreRefused() {
        assertThat(FAST.healthUrl()).contains(URI.create("http://127.0.0.1:9/h"));
        assertThat(SLOW.healthUrl()).isEmpty();
        LlmProvider m = LlmProvider.parse(
                "{\"name\":\"Local Llama\",\"costPer1M\":0,\"context\":8000,\"latencyMs\":800,"
                        + "\"quality\":0.75,\"capabilities\":[\"coding\",\"reasoning\"],\"healthUrl\":\"https://llm.lan/health\"}");
        assertThat(m)
                .isEqualTo(new LlmProvider(
                        "Local Llama",
                        0,
                        8000,
                        800,
                        0.75,
                        Set.of("coding", "reasoning"),
                        Optional.of(URI.create("https://llm.lan/health"))));
        assertThatThrownBy(() -> LlmProvider.parse("A=0/8000/800/0.75/coding healthUrl=ftp://x/h"))
                .hasMessage("healthUrl of provider A must be an http:// or https:// URL with a host, got 'ftp://x/h'");
        assertThatThrownBy(() -> LlmProvider.parse("A=0/8000/800/0.75/coding healthUrl=http://bad host/"))
                .hasMessageStartingWith("healthUrl of provider A must be an http:// or https:// URL");
        assertThatThrownBy(() -> LlmProvider.parse("A=0/8000/800/0.75/coding healthUrl=/health"))
                .hasMessageContaining("got '/health'");
        assertThatThrownBy(() -> LlmProvider.parse("{\"name\":\"B\",\"costPer1M\":0,\"context\":1,\"latencyMs\":1,"
                        + "\"quality\":1,\"healthURL\":\"http://x/\"}"))
                .hasMessageContaining("no key healthURL");
        assertThatThrownBy(() -> LlmProvider.parse("{\"name\":\"B\",\"context\":1,\"latencyMs\":1,\"quality\":1}"))
                .hasMessage("provider B needs costPer1M (a number)");
    }
}
