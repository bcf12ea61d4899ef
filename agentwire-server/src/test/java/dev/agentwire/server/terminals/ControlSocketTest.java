package dev.agentwire.server.terminals;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.RawConnection;
import dev.agentwire.server.testing.TestHubs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code control.sock}: the seed's {id, category, type, action, data, error} messages. */
class ControlSocketTest {

    @Test
    void requestsResponsesAndEvents() throws Exception {
        try (AgentwireHub hub = TestHubs.start(TestHubs.shortTempDir())) {
            Path sock = hub.config().home().resolve("control.sock");
            assertThat(Files.getPosixFilePermissions(sock))
                    .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            try (RawConnection c = RawConnection.unix(sock)) {
                c.sendLine("{\"id\":\"1\",\"category\":\"system\",\"type\":\"request\",\"action\":\"ping\"}");
                JsonNode pong = c.readJson();
                assertThat(pong.path("id").asText()).isEqualTo("1");
                assertThat(pong.path("type").asText()).isEqualTo("response");
                assertThat(pong.path("category").asText()).isEqualTo("system");
                assertThat(pong.path("action").asText()).isEqualTo("ping");
                assertThat(pong.path("data").path("pong").asBoolean()).isTrue();

                c.sendLine("{\"id\":\"2\",\"category\":\"system\",\"type\":\"request\",\"action\":\"subscribe\","
                        + "\"data\":{\"categories\":[\"session-monitor\",\"session\"]}}");
                assertThat(c.readJson().path("id").asText()).isEqualTo("2");
                c.sendLine("{\"id\":\"3\",\"category\":\"session\",\"type\":\"request\",\"action\":\"spawn\","
                        + "\"data\":{\"command\":[\"sh\",\"-c\",\"sleep 0.2; exit 5\"],\"name\":\"five\"}}");
                List<JsonNode> seen = new ArrayList<>();
                JsonNode m;
                JsonNode exit = null;
                do {
                    m = c.readJson(java.time.Duration.ofSeconds(30));
                    seen.add(m);
                    if ("session-exit".equals(m.path("data").path("type").asText())) {
                        exit = m;
                    }
                } while (!(m.path("category").asText().equals("session")
                        && m.path("action").asText().equals("closed")));
                assertThat(exit)
                        .as("the session-exit notification came before the closed event")
                        .isNotNull();
                m = exit;
                JsonNode spawned = seen.stream()
                        .filter(x -> x.path("id").asText().equals("3"))
                        .findFirst()
                        .orElseThrow();
                assertThat(spawned.path("type").asText()).isEqualTo("response");
                assertThat(spawned.path("data").path("name").asText()).isEqualTo("five");
                assertThat(seen)
                        .anyMatch(x -> x.path("type").asText().equals("event")
                                && x.path("category").asText().equals("session-monitor")
                                && x.path("action").asText().equals("notification")
                                && x.path("data").path("type").asText().equals("session-start"));
                assertThat(m.path("type").asText()).isEqualTo("event");
                assertThat(m.path("data").path("exitCode").asInt()).isEqualTo(5);
                assertThat(m.path("data").path("message").asText()).isEqualTo("five exited with code 5");
                assertThat(m.path("data").path("metadata").path("exitCode").asInt())
                        .isEqualTo(5);
                assertThat(seen)
                        .anyMatch(x -> x.path("category").asText().equals("session")
                                && x.path("action").asText().equals("created")
                                && x.path("data").path("name").asText().equals("five"));

                c.sendLine("{\"id\":\"4\",\"category\":\"session\",\"type\":\"request\",\"action\":\"kill\","
                        + "\"data\":{\"id\":\"../x\"}}");
                JsonNode bad = c.readJson();
                assertThat(bad.path("id").asText()).isEqualTo("4");
                assertThat(bad.path("errorDetail").path("code").asInt()).isEqualTo(-32602);
                assertThat(bad.path("error").asText()).contains("32 lower-case hex digits");
                c.sendLine("{\"id\":\"5\",\"category\":\"session\",\"type\":\"request\",\"action\":\"dance\"}");
                JsonNode unknown = c.readJson();
                assertThat(unknown.path("errorDetail").path("code").asInt()).isEqualTo(-32601);
                assertThat(unknown.path("error").asText()).contains("session:spawn", "system:ping");
                c.sendLine("not json");
                assertThat(c.readJson().path("errorDetail").path("code").asInt())
                        .isEqualTo(-32700);
                c.sendLine("{\"id\":\"6\",\"category\":\"system\",\"type\":\"event\",\"action\":\"ping\"}");
                assertThat(c.readJson().path("error").asText()).contains("\"type\": \"request\"");
                c.sendLine("{\"id\":\"7\",\"category\":\"system\",\"type\":\"request\",\"action\":\"ping\"}");
                assertThat(c.readJson().path("id").asText())
                        .as("the connection goes on")
                        .isEqualTo("7");
            }
        }
    }

    /** The seed's heartbeat, auth and input categories reach control.sock subscribers (issue 11, liveness). */
    @Test
    void heartbeatAuthAndInputEventsReachSubscribers() throws Exception {
        try (AgentwireHub hub = TestHubs.start(TestHubs.shortTempDir(), b -> b.set("events.heartbeatSeconds", "1"));
                RawConnection c = RawConnection.unix(hub.config().home().resolve("control.sock"))) {
            c.sendLine("{\"id\":\"1\",\"category\":\"system\",\"type\":\"request\",\"action\":\"subscribe\","
                    + "\"data\":{\"categories\":[\"heartbeat\",\"auth\",\"input\"]}}");
            assertThat(c.readJson().path("id").asText()).isEqualTo("1");
            try (RawConnection stranger = RawConnection.tcp(hub.tcpPort().getAsInt())) {
                stranger.request(1, "hub/hello", "{\"token\":\"wrong\"}");
                stranger.readJson();
            }
            c.sendLine("{\"id\":\"2\",\"category\":\"session\",\"type\":\"request\",\"action\":\"spawn\","
                    + "\"data\":{\"command\":[\"cat\"],\"name\":\"typed\"}}");
            java.util.Set<String> categories = new java.util.HashSet<>();
            String id = null;
            while (categories.size() < 3) {
                JsonNode m = c.readJson(java.time.Duration.ofSeconds(30));
                if (m.path("id").asText().equals("2")) {
                    id = m.path("data").path("id").asText();
                    c.sendLine("{\"id\":\"3\",\"category\":\"session\",\"type\":\"request\",\"action\":\"input\","
                            + "\"data\":{\"id\":\"" + id + "\",\"text\":\"hi\\n\"}}");
                }
                if (m.path("type").asText().equals("event")) {
                    categories.add(m.path("category").asText());
                    if (m.path("category").asText().equals("auth")) {
                        assertThat(m.path("action").asText()).isEqualTo("login_failed");
                    }
                }
            }
            assertThat(categories).containsExactlyInAnyOrder("heartbeat", "auth", "input");
            assertThat(id).isNotNull();
        }
    }
}
