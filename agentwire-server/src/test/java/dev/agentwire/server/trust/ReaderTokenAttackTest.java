package dev.agentwire.server.trust;

import static dev.agentwire.server.testing.RpcFailures.rpcError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.ConnectionEvent;
import dev.agentwire.client.RpcException;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.TestHubs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a stranger holding a read-only token ({@code rooms:read:*}) tried against a live hub, each attack as it was
 * reproduced (issue 11, findings 2, 4, 6, 7 and 8): it must be refused, and the owner must not notice anything.
 */
class ReaderTokenAttackTest {

    private Path dir;
    private AgentwireHub hub;
    private AgentwireClient owner;

    @BeforeEach
    void start() throws Exception {
        dir = TestHubs.shortTempDir();
        hub = TestHubs.start(dir);
        owner = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect();
    }

    @AfterEach
    void stop() {
        owner.close();
        hub.close();
    }

    private JsonNode mint(String sub, long ttlSeconds, String... scopes) throws Exception {
        ObjectNode params = Json.mapper().createObjectNode().put("sub", sub).put("ttlSeconds", ttlSeconds);
        for (String s : scopes) {
            params.withArray("scopes").add(s);
        }
        return owner.request("tokens/create", params).get(10, TimeUnit.SECONDS);
    }

    private AgentwireClient tcp(String token) {
        return AgentwireClient.builder()
                .endpoint("tcp://127.0.0.1:" + hub.tcpPort().getAsInt())
                .token(token)
                .reconnect(false)
                .connect();
    }

    private AgentwireClient reader() throws Exception {
        return tcp(mint("mallory", 600, "rooms:read:*").path("token").asText());
    }

    private static ObjectNode params(String json) throws Exception {
        return (ObjectNode) Json.mapper().readTree(json);
    }

    private static void assertMissingScope(CompletableFuture<JsonNode> call, String scope) {
        RpcException e = rpcError(call);
        assertThat(e.code()).as(e.getMessage()).isEqualTo(-32005);
        assertThat(e.data().path("scope").asText()).isEqualTo(scope);
    }

    /** Finding 2: the reader registered a tool with a catastrophic pattern and froze both I/O threads. */
    @Test
    void aReaderCannotRegisterToolsAtAll() throws Exception {
        try (AgentwireClient mallory = reader()) {
            assertMissingScope(
                    mallory.request(
                            "tools/register",
                            params(
                                    "{\"tools\":[{\"name\":\"evil\",\"description\":\"d\",\"inputSchema\":{\"type\":\"object\","
                                            + "\"properties\":{\"s\":{\"type\":\"string\",\"pattern\":\"((a+)+)+b\"}}}}]}")),
                    "tools:provide");
            assertMissingScope(
                    mallory.request("tools/call", params("{\"name\":\"evil\",\"arguments\":{}}")), "tools:call");
        }
    }

    /** Finding 4: the reader listed every session, joined the victim's, and took over its tool. */
    @Test
    void sessionsAreIsolatedBetweenIdentities() throws Exception {
        JsonNode victimToken = mint("victim", 600, "tools:provide", "tools:call");
        try (AgentwireClient victim = tcp(victimToken.path("token").asText());
                AgentwireClient mallory = tcp(mint("mallory", 600, "rooms:read:*", "tools:provide")
                        .path("token")
                        .asText())) {
            JsonNode session = victim.request("sessions/create", params("{\"name\":\"private\",\"join\":true}"))
                    .get(10, TimeUnit.SECONDS);
            String id = session.path("sessionId").asText();
            victim.tools()
                    .register(
                            new dev.agentwire.client.ToolSpec(
                                    "charge", "charges a card", params("{\"type\":\"object\"}")),
                            (args, ctx) -> CompletableFuture.completedFuture(
                                    Json.mapper().createObjectNode()))
                    .get(10, TimeUnit.SECONDS);

            JsonNode listed = mallory.request("sessions/list").get(10, TimeUnit.SECONDS);
            assertThat(listed.path("sessions").findValuesAsText("sessionId"))
                    .as("another identity's session is not listed")
                    .doesNotContain(id);
            RpcException join = rpcError(mallory.request("sessions/join", params("{\"sessionId\":\"" + id + "\"}")));
            assertThat(join.code()).isEqualTo(-32005);
            assertThat(join.reason()).isEqualTo("not_your_session");

            // In a session both are in (the default one), the attacker still cannot replace the victim's tool.
            victim.request("sessions/join", params("{\"sessionId\":\"default\"}"))
                    .get(10, TimeUnit.SECONDS);
            victim.request(
                            "tools/register",
                            params(
                                    "{\"tools\":[{\"name\":\"pay\",\"description\":\"d\",\"inputSchema\":{\"type\":\"object\"}}]}"))
                    .get(10, TimeUnit.SECONDS);
            RpcException takeover = rpcError(mallory.request(
                    "tools/register",
                    params("{\"replace\":true,\"tools\":[{\"name\":\"pay\",\"description\":\"d\","
                            + "\"inputSchema\":{\"type\":\"object\"}}]}")));
            assertThat(takeover.code()).isEqualTo(-32005);
            assertThat(takeover.reason()).isEqualTo("not_your_tool");
            // The owner (the hub's own uid) sees every session.
            assertThat(owner.request("sessions/list")
                            .get(10, TimeUnit.SECONDS)
                            .path("sessions")
                            .findValuesAsText("sessionId"))
                    .contains(id);
        }
    }

    /** Finding 6: a revoked token kept working on the connection it had opened. */
    @Test
    void revokingATokenClosesItsConnections() throws Exception {
        JsonNode minted = mint("mallory", 600, "rooms:read:*", "rooms:write:lobby");
        List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
        try (AgentwireClient mallory = AgentwireClient.builder()
                .endpoint("tcp://127.0.0.1:" + hub.tcpPort().getAsInt())
                .token(minted.path("token").asText())
                .reconnect(false)
                .onConnectionEvent((e, client) -> events.add(e))
                .connect()) {
            mallory.rooms().publish("lobby", "before", null).get(10, TimeUnit.SECONDS);
            owner.request(
                            "tokens/revoke",
                            params("{\"jti\":\"" + minted.path("jti").asText() + "\"}"))
                    .get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> !mallory.isConnected());
        }
        assertThat(owner.rooms().history("lobby", 10).get(10, TimeUnit.SECONDS).path("messages"))
                .hasSize(1);
    }

    /** Review: an admin token minted `*` tokens that outlived it and survived its revocation. */
    @Test
    void aTokenMintsOnlyWhatItHoldsAndItsTokensDieWithIt() throws Exception {
        JsonNode deputyToken = mint("deputy", 600, "admin", "rooms:read:*");
        try (AgentwireClient deputy = tcp(deputyToken.path("token").asText())) {
            RpcException star = rpcError(
                    deputy.request("tokens/create", params("{\"sub\":\"x\",\"scopes\":[\"*\"],\"ttlSeconds\":600}")));
            assertThat(star.code()).isEqualTo(-32005);
            assertThat(star.reason()).isEqualTo("scope_not_held");
            JsonNode child = deputy.request(
                            "tokens/create",
                            params("{\"sub\":\"child\",\"scopes\":[\"rooms:read:lobby\"],\"ttlSeconds\":31000000}"))
                    .get(10, TimeUnit.SECONDS);
            assertThat(java.time.Instant.parse(child.path("expiresAt").asText()))
                    .as("no longer than its minter has left")
                    .isBefore(java.time.Instant.now().plusSeconds(601));
            try (AgentwireClient c = tcp(child.path("token").asText())) {
                c.rooms().join("lobby", m -> {}).get(10, TimeUnit.SECONDS);
                owner.request(
                                "tokens/revoke",
                                params("{\"jti\":\"" + deputyToken.path("jti").asText() + "\"}"))
                        .get(10, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(10)).until(() -> !c.isConnected());
            }
        }
    }

    /** Finding 6: an expired token kept working on the connection it had opened. */
    @Test
    void anExpiredTokensConnectionIsClosedAtExpiry() throws Exception {
        JsonNode minted = mint("mallory", 1, "rooms:read:*");
        try (AgentwireClient mallory = tcp(minted.path("token").asText())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !mallory.isConnected());
        }
    }

    /** Finding 7: a reader raised today's spend to $1,500 of a $100 budget, and it was saved to disk. */
    @Test
    void aReaderCannotRecordSpendFollowGitOrSubscribeToEvents() throws Exception {
        try (AgentwireClient mallory = reader()) {
            assertMissingScope(
                    mallory.request("router/record", params("{\"provider\":\"Claude Sonnet 4\",\"tokens\":100000000}")),
                    "router");
            assertThat(owner.request("router/budget")
                            .get(10, TimeUnit.SECONDS)
                            .path("current_spend")
                            .asDouble())
                    .isZero();
            assertMissingScope(mallory.request("git/follow", params("{\"path\":\"/etc\"}")), "git");
            assertMissingScope(mallory.request("git/unfollow", params("{\"path\":\"/etc\"}")), "git");
            assertMissingScope(
                    mallory.request("events/subscribe", params("{\"categories\":[\"session-monitor\"]}")),
                    "events:session-monitor");
            assertMissingScope(mallory.request("terminals/list"), "terminals");
        }
    }

    /** Finding 8: 1,000 sessions with 1 MB names ran the hub out of memory. */
    @Test
    void sessionsAreCappedInNumberNameAndLifetime() throws Exception {
        try (AgentwireClient mallory = reader()) {
            RpcException longName = rpcError(mallory.request(
                    "sessions/create", Json.mapper().createObjectNode().put("name", "x".repeat(1 << 20))));
            assertThat(longName.code()).isEqualTo(-32602);
            assertThat(longName.getMessage()).contains("128");
            RpcException forever = rpcError(mallory.request("sessions/create", params("{\"ttl\":315360000}")));
            assertThat(forever.code()).isEqualTo(-32602);
            assertThat(forever.getMessage()).contains("sessions.maxTtlSeconds");
            RpcException last = null;
            for (int i = 0; i < 100 && last == null; i++) {
                CompletableFuture<JsonNode> f = mallory.request("sessions/create", params("{\"name\":\"s" + i + "\"}"));
                try {
                    f.get(10, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    last = (RpcException) e.getCause();
                }
            }
            assertThat(last).as("sessions per identity are capped below 100").isNotNull();
            assertThat(last.code()).isEqualTo(-32008);
            assertThat(last.getMessage()).contains("limits.maxSessionsPerIdentity");
        }
        // The owner is not held back by the stranger's sessions.
        assertThat(owner.request("sessions/create", params("{\"name\":\"mine\"}"))
                        .get(10, TimeUnit.SECONDS))
                .isNotNull();
    }

    /** Finding 8: services/socket had no cap, accepted "." and "..", and its sockets outlived the caller. */
    @Test
    void serviceSocketsAreValidatedCappedAndRemovedWithTheirOwner() throws Exception {
        JsonNode provider = mint("provider", 600, "services:provide");
        Path agents = hub.core().status().path("home").isMissingNode()
                ? null
                : Path.of(hub.core().status().path("home").asText()).resolve("agents");
        try (AgentwireClient p = tcp(provider.path("token").asText())) {
            for (String bad : new String[] {".", "..", "a/b", ""}) {
                RpcException e = rpcError(p.request(
                        "services/socket", Json.mapper().createObjectNode().put("name", bad)));
                assertThat(e.code()).as(bad).isEqualTo(-32602);
            }
            JsonNode made = p.request(
                            "services/socket", Json.mapper().createObjectNode().put("name", "mine"))
                    .get(10, TimeUnit.SECONDS);
            assertThat(Path.of(made.path("path").asText())).exists();
            RpcException capped = null;
            for (int i = 0; i < 200 && capped == null; i++) {
                try {
                    p.request(
                                    "services/socket",
                                    Json.mapper().createObjectNode().put("name", "s" + i))
                            .get(10, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    capped = (RpcException) e.getCause();
                }
            }
            assertThat(capped).as("services/socket is capped below 200").isNotNull();
            assertThat(capped.getMessage()).contains("services.maxSockets");
        }
        assertThat(agents).isNotNull();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(agents.resolve("mine.sock")).doesNotExist());
        try (var files = Files.list(agents)) {
            assertThat(files.toList())
                    .as("every socket the caller made went with it")
                    .isEmpty();
        }
    }

    /** Finding 8: schemas with {@code $ref: "#"}, a {@code $ref} cycle or 990 nested {@code not} killed a worker. */
    @Test
    void recursiveAndDeepSchemasAreRefusedAtRegistration() throws Exception {
        String deep = "{\"type\":\"object\"," + "\"not\":{".repeat(990) + "}".repeat(990) + "}";
        // Refs that share a target: each level doubles what validation visits (2^22 schemas from a few hundred bytes).
        StringBuilder chain = new StringBuilder("{\"type\":\"object\",\"$defs\":{\"d0\":{\"type\":\"string\"}");
        for (int i = 1; i <= 22; i++) {
            chain.append(",\"d")
                    .append(i)
                    .append("\":{\"allOf\":[{\"$ref\":\"#/$defs/d")
                    .append(i - 1)
                    .append("\"},{\"$ref\":\"#/$defs/d")
                    .append(i - 1)
                    .append("\"}]}");
        }
        chain.append("},\"properties\":{\"x\":{\"$ref\":\"#/$defs/d22\"}}}");
        String[] schemas = {
            chain.toString(),
            // Nested counts multiply: RE2 would compile a billion instructions (and run out of memory first).
            "{\"type\":\"object\",\"properties\":{\"s\":{\"type\":\"string\","
                    + "\"pattern\":\"((a{1000}){1000}){1000}\"}}}",
            "{\"type\":\"object\",\"properties\":{\"a\":{\"$ref\":\"#\"}}}",
            "{\"type\":\"object\",\"$defs\":{\"x\":{\"$ref\":\"#/$defs/y\"},\"y\":{\"$ref\":\"#/$defs/x\"}},"
                    + "\"$ref\":\"#/$defs/x\"}",
            deep
        };
        for (String schema : schemas) {
            RpcException e = rpcError(owner.request(
                    "tools/register",
                    params("{\"tools\":[{\"name\":\"t\",\"description\":\"d\",\"inputSchema\":" + schema + "}]}"),
                    Duration.ofSeconds(20)));
            assertThat(e.code())
                    .as(schema.substring(0, Math.min(60, schema.length())))
                    .isEqualTo(-32602);
            assertThat(e.reason()).isEqualTo("invalid_schema");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.core().inflight() == 0);
        assertThat(owner.request("hub/ping")
                        .get(5, TimeUnit.SECONDS)
                        .path("pong")
                        .asBoolean())
                .isTrue();
    }
}
