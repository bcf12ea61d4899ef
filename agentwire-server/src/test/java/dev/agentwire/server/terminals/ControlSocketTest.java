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

    /** Sends a request and reads to its response (events in between are skipped). */
    private static JsonNode ask(RawConnection c, String id, String category, String action, String data)
            throws Exception {
        c.sendLine("{\"id\":\"" + id + "\",\"category\":\"" + category + "\",\"type\":\"request\",\"action\":\""
                + action + "\",\"data\":" + data + "}");
        while (true) {
            JsonNode m = c.readJson(java.time.Duration.ofSeconds(30));
            if (m.path("type").asText().equals("response")
                    && m.path("id").asText().equals(id)) {
                assertThat(m.path("category").asText()).isEqualTo(category);
                assertThat(m.path("action").asText()).isEqualTo(action);
                return m;
            }
        }
    }

    /** Each category of the seed's table takes its requests, not only system and session (issue 17). */
    @Test
    void everyCategoryOfTheSeedTakesItsRequests() throws Exception {
        try (AgentwireHub hub = TestHubs.start(TestHubs.shortTempDir());
                RawConnection c = RawConnection.unix(hub.config().home().resolve("control.sock"))) {
            // auth: who this connection is, with what it may do.
            JsonNode me = ask(c, "1", "auth", "hello", "{\"name\":\"mac-app\"}");
            assertThat(me.path("data").path("authenticated").asBoolean()).isTrue();
            assertThat(me.path("data").path("scopes").toString())
                    .as("the owner may do all")
                    .contains("\"*\"");
            assertThat(me.path("data").path("peer").path("uid").isNumber()).isTrue();
            // heartbeat: a ping answered with the hub's time.
            assertThat(ask(c, "2", "heartbeat", "ping", "{}")
                            .path("data")
                            .path("pong")
                            .asBoolean())
                    .isTrue();
            // session: spawn, then input by text and by key, a title, and the screen read back.
            String id = ask(c, "3", "session", "spawn", "{\"command\":[\"cat\"],\"name\":\"typed\"}")
                    .path("data")
                    .path("id")
                    .asText();
            ask(c, "4", "input", "text", "{\"id\":\"" + id + "\",\"text\":\"from-control\"}");
            ask(c, "5", "input", "key", "{\"id\":\"" + id + "\",\"key\":\"Enter\"}");
            ask(c, "6", "session", "title", "{\"id\":\"" + id + "\",\"title\":\"renamed\"}");
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> ask(c, "7", "session", "read", "{\"id\":\"" + id + "\"}")
                            .toString()
                            .contains("from-control"));
            assertThat(ask(c, "8", "session", "list", "{}").path("data").toString())
                    .contains("renamed");
            // session-monitor: a notification for the terminal, heard by a subscriber.
            ask(c, "9", "system", "subscribe", "{\"categories\":[\"session-monitor\"]}");
            c.sendLine("{\"id\":\"10\",\"category\":\"session-monitor\",\"type\":\"request\","
                    + "\"action\":\"notify\",\"data\":{\"id\":\"" + id + "\",\"event\":\"Stop\"}}");
            boolean answered = false;
            boolean heard = false;
            while (!(answered && heard)) {
                JsonNode m = c.readJson(java.time.Duration.ofSeconds(30));
                answered |= m.path("id").asText().equals("10")
                        && m.path("type").asText().equals("response");
                heard |= m.path("type").asText().equals("event")
                        && m.path("data").path("type").asText().equals("claude-turn");
            }
            // git: follow, list and unfollow; a path outside any repository is an error with its code.
            JsonNode notRepo = ask(c, "11", "git", "follow", "{\"path\":\"/\"}");
            assertThat(notRepo.path("errorDetail").path("code").asInt()).isEqualTo(-32602);
            assertThat(notRepo.path("error").asText()).contains("not inside a git repository");
            assertThat(ask(c, "12", "git", "list", "{}")
                            .path("data")
                            .path("repositories")
                            .isArray())
                    .isTrue();
            assertThat(ask(c, "13", "git", "unfollow", "{}")
                            .path("data")
                            .path("unfollowed")
                            .asInt())
                    .isZero();
            // Bad input in the new categories: the hub's errors, and the connection goes on.
            assertThat(ask(c, "14", "input", "key", "{\"id\":\"" + id + "\",\"key\":\"Hyper-Q\"}")
                            .path("errorDetail")
                            .path("code")
                            .asInt())
                    .isEqualTo(-32602);
            assertThat(ask(c, "15", "input", "text", "{\"id\":\"" + id + "\"}")
                            .path("error")
                            .asText())
                    .contains("text");
            assertThat(ask(c, "16", "input", "wave", "{}").path("error").asText())
                    .contains("input:text", "auth:hello", "git:follow", "heartbeat:ping");
            ask(c, "17", "session", "kill", "{\"id\":\"" + id + "\",\"signal\":9}");
        }
    }
}
