package dev.agentwire.server.rooms;

import static dev.agentwire.server.testing.RpcFailures.rpcError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.RpcException;
import dev.agentwire.core.auth.Revocations;
import dev.agentwire.core.auth.TokenService;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.TestHubs;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Scoped tokens: minted by the hub, checked on TCP, enforced on rooms, expired, tampered and revoked. */
class ScopedTokenTest {

    private AgentwireHub hub;
    private AgentwireClient owner;

    @BeforeEach
    void start() throws Exception {
        hub = TestHubs.start(TestHubs.shortTempDir());
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

    private JsonNode mint(String sub, List<String> scopes) throws Exception {
        var params = Json.mapper().createObjectNode().put("sub", sub).put("ttlSeconds", 600);
        scopes.forEach(params.putArray("scopes")::add);
        return owner.request("tokens/create", params).get(10, TimeUnit.SECONDS);
    }

    private AgentwireClient tcp(String token) {
        return AgentwireClient.builder()
                .endpoint("tcp://127.0.0.1:" + hub.tcpPort().getAsInt())
                .token(token)
                .reconnect(false)
                .connect();
    }

    @Test
    void scopesAreEnforcedOnJoinPublishAndHistory() throws Exception {
        JsonNode minted = mint("alice", List.of("rooms:write:lobby", "rooms:read:*"));
        try (AgentwireClient alice = tcp(minted.path("token").asText())) {
            assertThat(alice.hello().path("subject").asText()).isEqualTo("alice");
            alice.rooms().join("news", m -> {}).get(10, TimeUnit.SECONDS);
            JsonNode ack = alice.rooms().publish("lobby", "hi", null).get(10, TimeUnit.SECONDS);
            assertThat(ack.path("offset").asLong()).isEqualTo(1);
            RpcException readOnly = rpcError(alice.rooms().publish("news", "no", null));
            assertThat(readOnly.code()).isEqualTo(-32005);
            assertThat(readOnly.data().path("scope").asText()).isEqualTo("rooms:write:news");
            JsonNode history = owner.rooms().history("lobby", 5).get(10, TimeUnit.SECONDS);
            assertThat(history.path("messages").get(0).path("from").asText())
                    .as("from is the token's subject")
                    .isEqualTo("alice");
        }
        JsonNode writerOnly = mint("bob", List.of("rooms:write:lobby"));
        try (AgentwireClient bob = tcp(writerOnly.path("token").asText())) {
            RpcException noRead = rpcError(bob.rooms().join("lobby", m -> {}));
            assertThat(noRead.data().path("scope").asText()).isEqualTo("rooms:read:lobby");
            assertThat(rpcError(bob.rooms().history("lobby", 1)).code()).isEqualTo(-32005);
            assertThat(rpcError(bob.request(
                                    "tokens/create",
                                    Json.mapper().createObjectNode().put("sub", "x")))
                            .data()
                            .path("scope")
                            .asText())
                    .as("minting needs admin")
                    .isEqualTo("admin");
        }
    }

    @Test
    void tamperedExpiredAndRevokedTokensAreRefused() throws Exception {
        String good = mint("carol", List.of("rooms:read:*")).path("token").asText();
        String[] parts = good.split("\\.");
        String forged = parts[0] + "." + parts[1].substring(0, parts[1].length() - 2) + "AA." + parts[2];
        assertThatThrownBy(() -> tcp(forged))
                .isInstanceOf(RpcException.class)
                .satisfies(e -> assertThat(((RpcException) e).reason()).isEqualTo("bad_token"));
        // Minted an hour in the past for ten minutes: expired now, with no waiting.
        TokenService past = new TokenService(
                hub.token(),
                Revocations.inMemory(),
                Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC));
        String expired = past.mint("dave", List.of("*"), Duration.ofMinutes(10)).token();
        assertThatThrownBy(() -> tcp(expired))
                .isInstanceOf(RpcException.class)
                .satisfies(e -> assertThat(((RpcException) e).reason()).isEqualTo("token_expired"));
        JsonNode minted = mint("erin", List.of("rooms:read:*"));
        try (AgentwireClient erin = tcp(minted.path("token").asText())) {
            assertThat(erin.hello().path("authenticated").asBoolean()).isTrue();
        }
        owner.request(
                        "tokens/revoke",
                        Json.mapper()
                                .createObjectNode()
                                .put("jti", minted.path("jti").asText()))
                .get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> tcp(minted.path("token").asText()))
                .isInstanceOf(RpcException.class)
                .satisfies(e -> assertThat(((RpcException) e).reason()).isEqualTo("token_revoked"));
        assertThat(Files.readString(hub.config().home().resolve("revoked.json")))
                .contains(minted.path("jti").asText());
        RpcException badScope = rpcError(owner.request(
                "tokens/create", Json.mapper().readTree("{\"sub\":\"x\",\"scopes\":[\"rooms read lobby\"]}")));
        assertThat(badScope.code()).isEqualTo(-32602);
    }
}
