package dev.agentwire.server.rooms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.Chromium;
import dev.agentwire.server.testing.DevTools;
import dev.agentwire.server.testing.TestHubs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * client.js in headless Chromium, on a page of the hub's own (logged in with the one-time link, so no token): it
 * joins a room with history, publishes, types, asks a service, reads its inbox, broadcasts, and is refused
 * another identity's inbox, while a Java agent on the Unix socket is on the other end.
 */
class ClientJsBrowserTest {

    private static final Duration LONG = Duration.ofSeconds(60);

    @Test
    void aPageUsesRoomsServicesItsInboxAndBroadcasts() throws Exception {
        assumeTrue(Chromium.installed(), "needs Debian's chromium (CI installs it)");
        Path dir = TestHubs.shortTempDir();
        try (AgentwireHub hub = TestHubs.start(dir);
                AgentwireClient agent = AgentwireClient.builder()
                        .endpoint(hub.endpoint())
                        .reconnect(false)
                        .connect()) {
            agent.services()
                    .serve(
                            "echo",
                            (request, ctx) -> CompletableFuture.completedFuture(Json.mapper()
                                    .createObjectNode()
                                    .put(
                                            "shout",
                                            request.data().path("text").asText().toUpperCase())))
                    .get(10, TimeUnit.SECONDS);
            List<JsonNode> heard = new CopyOnWriteArrayList<>();
            List<JsonNode> typing = new CopyOnWriteArrayList<>();
            List<JsonNode> broadcasts = new CopyOnWriteArrayList<>();
            agent.onNotification("rooms/typing", typing::add);
            agent.rooms().onBroadcast(broadcasts::add);
            agent.rooms().join("lobby", heard::add).get(10, TimeUnit.SECONDS);
            agent.rooms().publish("lobby", "before the page", null).get(10, TimeUnit.SECONDS);
            String login = agent.request(
                            "auth/login-code", Json.mapper().createObjectNode().put("page", "demo"))
                    .get(10, TimeUnit.SECONDS)
                    .path("url")
                    .asText();
            try (DevTools b = DevTools.start(dir.resolve("profile"))) {
                b.navigate(login);
                b.until("typeof agentwire === 'object' && document.readyState === 'complete'", LONG);
                JsonNode started = Json.mapper()
                        .readTree(b.evaluate(String.join(
                                "\n",
                                "(async () => {",
                                "  const hub = await agentwire.connect({ name: 'rooms page' });",
                                "  window.rooms = { hub, got: [], dms: [] };",
                                "  await hub.joinRoom('lobby', { history: 5,",
                                "    onMessage: (m) => window.rooms.got.push(m.text) });",
                                "  const ack = await hub.publish('lobby', 'from the page');",
                                "  await hub.typing('lobby', 'thinking');",
                                "  const service = await hub.requestService('echo', 'shout', { text: 'hi' });",
                                "  await hub.joinInbox({ onMessage: (m) => window.rooms.dms.push(m.text) });",
                                "  return { inbox: hub.inbox(), offset: ack.offset, service };",
                                "})()")));
                assertThat(started.path("inbox").asText()).isEqualTo("@browser");
                assertThat(started.path("offset").asLong()).isEqualTo(2);
                assertThat(started.path("service").toString()).contains("\"shout\":\"HI\"");
                assertThat(b.evaluate("window.rooms.got.join('|')")).isEqualTo("before the page");
                // The agent hears the page (its own messages are not echoed to it).
                await().atMost(LONG).until(() -> heard.size() == 1 && typing.size() == 1);
                assertThat(heard.get(0).path("text").asText()).isEqualTo("from the page");
                assertThat(heard.get(0).path("from").asText()).isEqualTo("browser");
                assertThat(typing.get(0).path("from").asText()).isEqualTo("browser");

                agent.rooms().publish("lobby", "to the page", null).get(10, TimeUnit.SECONDS);
                b.until("window.rooms.got.includes('to the page')", LONG);
                agent.rooms().sendTo("browser", "just for you", null).get(10, TimeUnit.SECONDS);
                b.until("window.rooms.dms.includes('just for you')", LONG);

                JsonNode sent = Json.mapper().readTree(b.evaluate("window.rooms.hub.broadcast('everyone', { n: 1 })"));
                assertThat(sent.path("delivered").asInt()).isEqualTo(1);
                await().atMost(LONG).until(() -> broadcasts.size() == 1);
                assertThat(broadcasts.get(0).path("from").asText()).isEqualTo("browser");
                assertThat(broadcasts.get(0).path("rooms").toString()).isEqualTo("[\"lobby\"]");

                JsonNode refused = Json.mapper()
                        .readTree(b.evaluate("window.rooms.hub.joinRoom('@someone-else')"
                                + ".then(() => ({}), (e) => ({ code: e.code, reason: e.data.reason }))"));
                assertThat(refused.path("code").asInt()).isEqualTo(-32005);
                assertThat(refused.path("reason").asText()).isEqualTo("not_your_inbox");
                assertThat(b.evaluate("window.rooms.got.join('|')"))
                        .as("each message once, in order")
                        .isEqualTo("before the page|to the page");
            }
        }
    }
}
