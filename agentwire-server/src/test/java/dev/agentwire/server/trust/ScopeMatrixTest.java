package dev.agentwire.server.trust;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.core.rpc.Method;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.RawConnection;
import dev.agentwire.server.testing.TestHubs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every registered method against a token with each single scope: a call is refused for a missing scope exactly
 * where the scope below is not the one the method needs. The table is written by hand (it is the documented
 * permission model, docs/SECURITY.md), so that a declaration that drifts fails here; a method registered without
 * a row here fails too, so a new method cannot slip in undeclared.
 */
class ScopeMatrixTest {

    /** Needs nothing, not even authentication. */
    private static final String OPEN = "(open)";
    /** Any authenticated identity. */
    private static final String ANY = "(any)";

    /** What each method needs, and the params it is tried with. */
    private static final Map<String, Row> TABLE = new LinkedHashMap<>();

    private record Row(String needs, String params) {}

    private static void row(String method, String needs, String params) {
        TABLE.put(method, new Row(needs, params));
    }

    static {
        row("hub/hello", OPEN, "{\"name\":\"matrix\"}");
        row("hub/ping", ANY, "{}");
        row("logging/setLevel", ANY, "{\"level\":\"info\"}");
        row("notifications/message", ANY, "{\"level\":\"info\",\"data\":\"nothing waits\"}");
        row("hub/status", ANY, "{}");
        row("hub/cluster", ANY, "{}");
        row("hub/connections", "admin", "{}");
        row("hub/connection", "admin", "{\"id\":1}");
        row(
                "initialize",
                ANY,
                "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
                        + "\"clientInfo\":{\"name\":\"m\",\"version\":\"1\"}}");
        row("notifications/initialized", ANY, "{}");
        row("ping", ANY, "{}");
        row("notifications/cancelled", ANY, "{\"requestId\":\"nothing\"}");
        row("sessions/create", ANY, "{\"name\":\"m\"}");
        row("sessions/join", ANY, "{\"sessionId\":\"default\"}");
        row("sessions/list", ANY, "{}");
        row("sessions/close", ANY, "{\"sessionId\":\"nothing\"}");
        row(
                "tools/register",
                "tools:provide",
                "{\"tools\":[{\"name\":\"m\",\"description\":\"d\"," + "\"inputSchema\":{\"type\":\"object\"}}]}");
        row("tools/unregister", "tools:provide", "{\"names\":[\"m\"]}");
        row("a2a/expose", "tools:provide", "{\"name\":\"matrix-agent\"}");
        row("tools/list", "tools:call", "{}");
        row("tools/call", "tools:call", "{\"name\":\"nothing\",\"arguments\":{}}");
        row("sampling/createMessage", "tools:provide", "{\"messages\":[]}");
        row("elicitation/create", "tools:provide", "{\"message\":\"m\"}");
        row("roots/list", "tools:provide", "{}");
        row("prompts/register", "tools:provide", "{\"prompts\":[{\"name\":\"m\",\"description\":\"d\"}]}");
        row("prompts/unregister", "tools:provide", "{\"names\":[\"m\"]}");
        row("resources/register", "tools:provide", "{\"resources\":[{\"uri\":\"m://m\",\"name\":\"m\"}]}");
        row("resources/unregister", "tools:provide", "{\"uris\":[\"m://m\"]}");
        row("notifications/resources/updated", "tools:provide", "{\"uri\":\"m://m\"}");
        row("prompts/list", "tools:call", "{}");
        row("prompts/get", "tools:call", "{\"name\":\"nothing\"}");
        row("resources/list", "tools:call", "{}");
        row("resources/templates/list", "tools:call", "{}");
        row("resources/read", "tools:call", "{\"uri\":\"nothing://x\"}");
        row("resources/subscribe", "tools:call", "{\"uri\":\"nothing://x\"}");
        row("resources/unsubscribe", "tools:call", "{\"uri\":\"nothing://x\"}");
        row(
                "completion/complete",
                "tools:call",
                "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"nothing\"},\"argument\":{\"name\":\"a\",\"value\":\"\"}}");
        // Tool providers (tools:provide) and service instances (services:provide) both send it; it only reaches calls
        // made to the sending connection, so one without either scope has nothing it could reach.
        row("notifications/progress", ANY, "{\"progressToken\":\"nothing\",\"progress\":1}");
        row("events/subscribe", "events:session", "{\"categories\":[\"session\"]}");
        row("events/unsubscribe", ANY, "{\"categories\":[\"session\"]}");
        row("tokens/create", "admin", "{\"sub\":\"m\",\"scopes\":[],\"ttlSeconds\":60}");
        row("tokens/revoke", "admin", "{\"jti\":\"nothing\"}");
        row("auth/login-code", "admin", "{\"page\":\"terminals\"}");
        row("calls/list", "admin", "{}");
        row("rooms/join", "rooms:read:lobby", "{\"room\":\"lobby\"}");
        row("rooms/leave", ANY, "{\"room\":\"lobby\"}");
        row("rooms/publish", "rooms:write:lobby", "{\"room\":\"lobby\",\"text\":\"m\"}");
        row("rooms/history", "rooms:read:lobby", "{\"room\":\"lobby\"}");
        row("rooms/typing", "rooms:write:lobby", "{\"room\":\"lobby\",\"state\":\"idle\"}");
        row("rooms/control", "rooms:write:lobby", "{\"room\":\"lobby\",\"action\":\"m\"}");
        row("rooms/list", ANY, "{}");
        row("rooms/members", "rooms:read:lobby", "{\"room\":\"lobby\"}");
        row("rooms/broadcast", ANY, "{\"text\":\"m\"}");
        row("services/register", "services:provide", "{\"service\":\"m\"}");
        row("services/unregister", "services:provide", "{\"service\":\"m\"}");
        row("services/request", "services:request", "{\"service\":\"nothing\",\"action\":\"a\",\"data\":{}}");
        row("services/list", "services:request", "{}");
        row("services/socket", "services:provide", "{\"name\":\"matrix\"}");
        row("git/follow", "git", "{\"path\":\"/nonexistent-matrix\"}");
        row("git/unfollow", "git", "{\"path\":\"/nonexistent-matrix\"}");
        row("git/list", "git", "{}");
        row("router/route", ANY, "{\"token_count\":100}");
        row("router/record", "router", "{\"provider\":\"Local Llama\",\"tokens\":1}");
        row("router/budget", "router", "{}");
        for (String t : List.of(
                "spawn", "list", "kill", "resize", "title", "input", "key", "read", "wait", "attach", "detach")) {
            row("terminals/" + t, "terminals", "{\"id\":\"nothing\"}");
        }
        row("terminals/ack", "terminals", "{\"id\":\"nothing\",\"chars\":0}");
        row("terminals/notify", "terminals", "{\"id\":\"nothing\",\"event\":\"Stop\"}");
        row("terminals/register", "terminals", "{\"id\":\"nothing\"}");
        row("terminals/forward-output", "terminals", "{\"id\":\"nothing\",\"data\":\"\"}");
        row("terminals/forward-exit", "terminals", "{\"id\":\"nothing\",\"exitCode\":0}");
    }

    /** The single scopes tried: one of each kind, plus none at all and the owner's {@code *}. */
    private static final List<String> SCOPES = List.of(
            "",
            "tools:call",
            "tools:provide",
            "rooms:read:lobby",
            "rooms:write:lobby",
            "services:request",
            "services:provide",
            "terminals",
            "git",
            "router",
            "events:session",
            "admin",
            "*");

    private static AgentwireHub hub;
    private static AgentwireClient owner;

    @BeforeAll
    static void start() throws Exception {
        Path dir = TestHubs.shortTempDir();
        hub = TestHubs.start(dir);
        owner = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect();
    }

    @AfterAll
    static void stop() {
        owner.close();
        hub.close();
    }

    @Test
    void everyRegisteredMethodHasARowInTheTable() {
        TreeSet<String> registered = new TreeSet<>();
        for (Method m : hub.core().registry().all()) {
            registered.add(m.name());
        }
        assertThat(TABLE.keySet())
                .as("methods registered without a row in ScopeMatrixTest (declare and document their scope)")
                .containsAll(registered);
        assertThat(registered).as("rows for methods that no longer exist").containsAll(TABLE.keySet());
        for (Method m : hub.core().registry().all()) {
            String needs = TABLE.get(m.name()).needs();
            String declared = switch (m.access().kind()) {
                case OPEN -> OPEN;
                case AUTHENTICATED -> ANY;
                case SCOPED -> m.access().toString();
            };
            String expected = needs.startsWith("rooms:read:")
                    ? "rooms:read:<room>"
                    : needs.startsWith("rooms:write:")
                            ? "rooms:write:<room>"
                            : needs.startsWith("events:") ? "events:<category>" : needs;
            assertThat(declared).as(m.name()).isEqualTo(expected);
        }
    }

    @Test
    void aTokenWithOneScopeIsAllowedExactlyWhereThatScopeIsNeeded() throws Exception {
        List<String> wrong = new ArrayList<>();
        int port = hub.tcpPort().getAsInt();
        for (String scope : SCOPES) {
            ObjectNode mint = Json.mapper()
                    .createObjectNode()
                    .put("sub", "matrix-" + scope)
                    .put("ttlSeconds", 600);
            if (!scope.isEmpty()) {
                mint.putArray("scopes").add(scope);
            }
            String token = owner.request("tokens/create", mint)
                    .get(10, TimeUnit.SECONDS)
                    .path("token")
                    .asText();
            try (RawConnection c = RawConnection.tcp(port)) {
                c.request(0, "hub/hello", "{\"token\":\"" + token + "\"}");
                assertThat(c.readJson(Duration.ofSeconds(10)).has("result")).isTrue();
                int id = 1;
                for (Map.Entry<String, Row> e : TABLE.entrySet()) {
                    String method = e.getKey();
                    c.request(id, method, e.getValue().params());
                    JsonNode reply = c.readJson(Duration.ofSeconds(15));
                    while (!reply.has("id")) { // a notification (tools/list_changed, an event): not an answer
                        reply = c.readJson(Duration.ofSeconds(15));
                    }
                    assertThat(reply.path("id").asInt())
                            .as(method + " answered in order")
                            .isEqualTo(id++);
                    boolean refused = reply.path("error").path("code").asInt() == -32005
                            && reply.path("error")
                                    .path("data")
                                    .path("reason")
                                    .asText()
                                    .equals("missing_scope");
                    String needs = e.getValue().needs();
                    boolean shouldBeAllowed =
                            needs.equals(OPEN) || needs.equals(ANY) || scope.equals("*") || scope.equals(needs);
                    if (refused == shouldBeAllowed) {
                        wrong.add(method + " with [" + scope + "]: " + (refused ? "refused " : "allowed ") + reply);
                    }
                }
            }
        }
        assertThat(wrong).as("calls allowed or refused against the table").isEmpty();
    }
}
