package dev.agentwire.server.terminals;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.RpcException;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.TestHubs;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Input to a program in raw mode that never reads it: the pseudo-terminal's buffer fills and a write blocks. It used to block
 * the worker that answered {@code terminals/input}, so a few such calls pinned the hub's workers; now input waits
 * on the terminal's own writer, up to 1 MiB, and more is refused with the numbers.
 */
class TerminalInputTest {

    @Test
    @Timeout(120)
    void inputToAProgramThatDoesNotReadNeverHoldsAWorker() throws Exception {
        try (AgentwireHub hub = TestHubs.start(TestHubs.shortTempDir(), b -> b.set("server.workerThreads", "2"));
                AgentwireClient client = AgentwireClient.builder()
                        .endpoint(hub.endpoint())
                        .reconnect(false)
                        .requestTimeout(Duration.ofSeconds(10))
                        .connect()) {
            String id = client.request(
                            "terminals/spawn",
                            Json.mapper()
                                    .readTree(
                                            "{\"command\":\"sh\",\"args\":[\"-c\",\"stty raw -echo; echo raw-now; exec sleep 600\"]}"))
                    .get(30, TimeUnit.SECONDS)
                    .path("id")
                    .asText();
            // Only in raw mode does a full input buffer block the writer (a cooked line discards what overflows).
            client.request(
                            "terminals/wait",
                            Json.mapper()
                                    .createObjectNode()
                                    .put("id", id)
                                    .put("pattern", "raw-now")
                                    .put("timeoutMs", 20_000))
                    .get(30, TimeUnit.SECONDS);
            String chunk = "x".repeat(32 * 1024);
            RpcException backlog = null;
            for (int i = 0; i < 40 && backlog == null; i++) {
                try {
                    JsonNode sent = client.request(
                                    "terminals/input",
                                    Json.mapper()
                                            .createObjectNode()
                                            .put("id", id)
                                            .put("text", chunk))
                            .get(15, TimeUnit.SECONDS);
                    assertThat(sent.path("sent").asInt()).isEqualTo(chunk.length());
                } catch (ExecutionException e) {
                    backlog = (RpcException) e.getCause();
                }
            }
            assertThat(backlog).as("more than 1 MiB waiting is refused").isNotNull();
            assertThat(backlog.code()).isEqualTo(-32008);
            assertThat(backlog.reason()).isEqualTo("input_backlog");
            assertThat(backlog.data().path("limit").asLong()).isEqualTo(1 << 20);
            // Both workers are free: calls on other connections are answered.
            try (AgentwireClient other = AgentwireClient.builder()
                    .endpoint(hub.endpoint())
                    .reconnect(false)
                    .connect()) {
                for (int i = 0; i < 4; i++) {
                    assertThat(other.request("hub/status")
                                    .get(5, TimeUnit.SECONDS)
                                    .path("hub")
                                    .asText())
                            .isEqualTo("agentwire");
                }
            }
            client.request("terminals/kill", Json.mapper().createObjectNode().put("id", id))
                    .get(30, TimeUnit.SECONDS);
        }
    }
}
