package dev.agentwire.server.audit;

import static dev.agentwire.server.testing.RpcFailures.rpcError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.RawConnection;
import dev.agentwire.server.testing.TestHubs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the hub writes to audit.log and tells {@code auth} subscribers: refused logins and requests, logins, token
 * changes, admin calls, terminal actions by a token that is not the owner; the heartbeat and input categories.
 */
class AuditTrailTest {

    private static List<JsonNode> audit(Path home) throws IOException {
        Path file = home.resolve("audit.log");
        if (!Files.exists(file)) {
            return List.of();
        }
        return Files.readAllLines(file).stream()
                .map(l -> {
                    try {
                        return Json.mapper().readTree(l);
                    } catch (IOException e) {
                        throw new AssertionError(l, e);
                    }
                })
                .toList();
    }

    private static boolean has(List<JsonNode> lines, String event, String field, String value) {
        return lines.stream()
                .anyMatch(l -> l.path("event").asText().equals(event)
                        && l.path(field).asText().equals(value));
    }

    @Test
    void refusalsLoginsTokensAdminCallsAndStrangersTerminalActionsAreAudited() throws Exception {
        Path dir = TestHubs.shortTempDir();
        Path home = dir.resolve("home");
        try (AgentwireHub hub = TestHubs.start(dir, b -> b.set("events.heartbeatSeconds", "1"));
                AgentwireClient owner = AgentwireClient.builder()
                        .endpoint(hub.endpoint())
                        .reconnect(false)
                        .connect()) {
            List<JsonNode> events = new CopyOnWriteArrayList<>();
            owner.onNotification("events/event", events::add);
            owner.request(
                            "events/subscribe",
                            Json.mapper().readTree("{\"categories\":[\"auth\",\"heartbeat\",\"input\"]}"))
                    .get(10, TimeUnit.SECONDS);
            int port = hub.tcpPort().getAsInt();
            try (RawConnection bad = RawConnection.tcp(port)) {
                bad.request(1, "hub/hello", "{\"token\":\"not-the-token\"}");
                bad.readJson(Duration.ofSeconds(10));
            }
            HttpResponse<String> api = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/sessions"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(api.statusCode()).isEqualTo(401);
            ObjectNode mint = Json.mapper().createObjectNode().put("sub", "ops").put("ttlSeconds", 600);
            mint.putArray("scopes").add("terminals");
            JsonNode token = owner.request("tokens/create", mint).get(10, TimeUnit.SECONDS);
            try (AgentwireClient ops = AgentwireClient.builder()
                    .endpoint("tcp://127.0.0.1:" + port)
                    .token(token.path("token").asText())
                    .reconnect(false)
                    .connect()) {
                JsonNode spawned = ops.request(
                                "terminals/spawn", Json.mapper().readTree("{\"command\":\"cat\",\"name\":\"audited\"}"))
                        .get(20, TimeUnit.SECONDS);
                String id = spawned.path("id").asText();
                ops.request(
                                "terminals/input",
                                Json.mapper().createObjectNode().put("id", id).put("text", "hunter2\n"))
                        .get(10, TimeUnit.SECONDS);
                rpcError(ops.request("hub/connections"));
                ops.request(
                                "terminals/spawn",
                                Json.mapper().readTree("{\"command\":\"sh\",\"args\":[\"-c\",\"exit 0\"]}"))
                        .get(20, TimeUnit.SECONDS);
                ops.request("terminals/kill", Json.mapper().createObjectNode().put("id", id))
                        .get(10, TimeUnit.SECONDS);
            }
            owner.request("hub/connections").get(10, TimeUnit.SECONDS);
            owner.request(
                            "tokens/revoke",
                            Json.mapper()
                                    .createObjectNode()
                                    .put("jti", token.path("jti").asText()))
                    .get(10, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                List<JsonNode> lines = audit(home);
                assertThat(has(lines, "login_failed", "reason", "bad_token"))
                        .as("bad hello")
                        .isTrue();
                assertThat(has(lines, "request_refused", "path", "/api/sessions"))
                        .as("API 401")
                        .isTrue();
                assertThat(has(lines, "token_created", "sub", "ops"))
                        .as("token created")
                        .isTrue();
                assertThat(has(lines, "login", "subject", "ops"))
                        .as("TCP login")
                        .isTrue();
                assertThat(has(lines, "terminal_action", "method", "terminals/spawn"))
                        .isTrue();
                assertThat(has(lines, "terminal_action", "method", "terminals/input"))
                        .isTrue();
                assertThat(has(lines, "terminal_action", "method", "terminals/kill"))
                        .isTrue();
                assertThat(has(lines, "call_refused", "method", "hub/connections"))
                        .as("missing admin")
                        .isTrue();
                assertThat(has(lines, "admin_call", "method", "hub/connections"))
                        .as("owner's admin call")
                        .isTrue();
                assertThat(has(lines, "token_revoked", "jti", token.path("jti").asText()))
                        .isTrue();
            });
            List<JsonNode> lines = audit(home);
            assertThat(lines.stream().filter(l -> l.path("event").asText().equals("terminal_action")))
                    .as("the owner's own terminal actions are not audited")
                    .allMatch(l -> l.path("subject").asText().equals("ops"));
            assertThat(lines)
                    .as("what a stranger ran, as it was asked: the command and its args")
                    .anyMatch(l -> l.path("method").asText().equals("terminals/spawn")
                            && l.path("args").toString().equals("[\"-c\",\"exit 0\"]"));
            assertThat(lines.toString()).as("input is audited, never its keys").doesNotContain("hunter2");
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(home.resolve("audit.log"))))
                    .isEqualTo("rw-------");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(events)
                        .anyMatch(e -> e.path("category").asText().equals("auth")
                                && e.path("action").asText().equals("login_failed"));
                assertThat(events).anyMatch(e -> e.path("category").asText().equals("heartbeat"));
                assertThat(events)
                        .anyMatch(e -> e.path("category").asText().equals("input")
                                && e.path("data").path("bytes").asInt() == 8);
            });
        }
    }
}
