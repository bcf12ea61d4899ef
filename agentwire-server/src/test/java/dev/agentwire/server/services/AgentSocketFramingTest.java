package dev.agentwire.server.services;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.core.services.ServiceRelay;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.RawConnection;
import dev.agentwire.server.testing.TestHubs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The per-agent socket reads complete JSON values, not lines: the orchestrator seed's agent writes its envelope
 * with no newline after it and keeps the connection open (its Go {@code conn.Write([]byte(response))}).
 */
class AgentSocketFramingTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private AgentwireHub hub;
    private Path naming;
    private AgentwireClient client;

    @BeforeEach
    void start() throws Exception {
        hub = TestHubs.start(
                TestHubs.shortTempDir(),
                b -> b.set("services.sockets", "naming")
                        .set("limits.ratePerSecond", "0")
                        .set("limits.maxMessageBytes", "4KiB"));
        naming = hub.config().home().resolve("agents/naming.sock");
        client = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .name("caller")
                .reconnect(false)
                .connect();
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        hub.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    private void awaitInstances(int n) {
        await().atMost(WAIT)
                .until(() -> hub.core().require(ServiceRelay.class).registry().instanceCount() == n);
    }

    @Test
    void theSeedsAgentAnswersWithoutANewlineOnAConnectionItKeepsOpen() throws Exception {
        try (RawConnection agent = RawConnection.unix(naming)) {
            awaitInstances(1);
            for (int n = 1; n <= 2; n++) {
                CompletableFuture<JsonNode> answer = client.services()
                        .request("naming", "allocate_namespace", Json.mapper().readTree("{\"n\":" + n + "}"));
                JsonNode req = agent.readJson(WAIT);
                assertThat(req.path("data").path("n").asInt()).isEqualTo(n);
                agent.send(bytes("{\"id\":" + req.path("id") + ",\"status\":\"success\",\"data\":{\"namespace\":\"ns"
                        + n + "\"}}"));
                assertThat(answer.get(WAIT.toSeconds(), TimeUnit.SECONDS)
                                .path("namespace")
                                .asText())
                        .as("answer %d, written without a newline, the connection still open", n)
                        .isEqualTo("ns" + n);
            }
        }
    }

    @Test
    void aCallerWithoutANewlineAndTwoEnvelopesBackToBack() throws Exception {
        try (RawConnection agent = RawConnection.unix(naming)) {
            awaitInstances(1);
            try (RawConnection caller = RawConnection.unix(naming)) {
                awaitInstances(2); // whoever connects is an instance until it asks something
                caller.send(bytes("{\"id\":\"a\",\"action\":\"allocate_namespace\",\"data\":{\"k\":1}}"));
                JsonNode req = agent.readJson(WAIT);
                agent.send(bytes("{\"id\":" + req.path("id") + ",\"status\":\"success\",\"data\":{\"k\":1}}"));
                JsonNode a = caller.readJson(WAIT);
                assertThat(a.path("id").asText()).isEqualTo("a");
                assertThat(a.path("status").asText()).isEqualTo("success");
                assertThat(a.path("data").path("k").asInt()).isEqualTo(1);

                caller.send(bytes("{\"id\":\"b\",\"action\":\"x\",\"data\":{\"k\":2}}"
                        + "{\"id\":\"c\",\"action\":\"x\",\"data\":{\"k\":3}}"));
                JsonNode first = agent.readJson(WAIT);
                JsonNode second = agent.readJson(WAIT);
                assertThat(first.path("data").path("k").asInt()).isEqualTo(2);
                assertThat(second.path("data").path("k").asInt()).isEqualTo(3);
                // The agent answers both back to back too, in the other order.
                agent.send(bytes("{\"id\":" + second.path("id") + ",\"status\":\"success\",\"data\":{\"k\":3}}"
                        + "{\"id\":" + first.path("id") + ",\"status\":\"success\",\"data\":{\"k\":2}}"));
                JsonNode x = caller.readJson(WAIT);
                JsonNode y = caller.readJson(WAIT);
                assertThat(x.path("id").asText() + y.path("id").asText()).isEqualTo("cb");
                assertThat(x.path("data").path("k").asInt()).isEqualTo(3);
            }
        }
    }

    @Test
    void malformedJsonGetsAnErrorEnvelopeAndTheConnectionGoesOn() throws Exception {
        try (RawConnection caller = RawConnection.unix(naming)) {
            caller.send(bytes("{\"id\":\"m1\",\"action\": nope}"));
            JsonNode e = caller.readJson(WAIT);
            assertThat(e.path("status").asText()).isEqualTo("error");
            assertThat(e.path("error").path("code").asText()).isEqualTo("INVALID_ENVELOPE");
            assertThat(e.path("error").path("message").asText()).startsWith("not JSON");
            caller.send(bytes("not json at all\n"));
            assertThat(caller.readJson(WAIT).path("error").path("code").asText())
                    .isEqualTo("INVALID_ENVELOPE");
            // Still open: a well-formed request is answered (nobody serves naming now).
            caller.send(bytes("{\"id\":\"m2\",\"action\":\"x\"}"));
            e = caller.readJson(WAIT);
            assertThat(e.path("id").asText()).isEqualTo("m2");
            assertThat(e.path("error").path("code").asText()).isEqualTo("NO_RESPONDERS");
        }
    }

    @Test
    void anUnfinishedValueAtHalfCloseIsRefusedThenTheConnectionCloses() throws Exception {
        try (RawConnection caller = RawConnection.unix(naming)) {
            caller.send(bytes("{\"id\":\"u\",\"action\":\"x\""));
            caller.shutdownOutput();
            JsonNode e = caller.readJson(WAIT);
            assertThat(e.path("error").path("code").asText()).isEqualTo("INVALID_ENVELOPE");
            assertThat(e.path("error").path("message").asText()).contains("not JSON");
            caller.assertClosedWithin(WAIT);
        }
    }

    @Test
    void aValueOverTheLimitIsRefusedAndTheConnectionClosed() throws Exception {
        try (RawConnection caller = RawConnection.unix(naming)) {
            // 4 KiB is the limit; the value never ends, so only its size can stop it.
            caller.send(bytes("{\"id\":\"big\",\"action\":\"x\",\"data\":\"" + "a".repeat(5000)));
            JsonNode e = caller.readJson(WAIT);
            assertThat(e.path("status").asText()).isEqualTo("error");
            assertThat(e.path("error").path("code").asText()).isEqualTo("TOO_LARGE");
            assertThat(e.path("error").path("message").asText())
                    .startsWith("JSON value length (")
                    .endsWith("exceeds the allowed maximum (4096)");
            assertThat(e.path("error").path("details").path("limit").asInt()).isEqualTo(4096);
            caller.assertClosedWithin(WAIT);
        }
    }
}
