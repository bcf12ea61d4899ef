package dev.agentwire.cli;

import static dev.agentwire.cli.AwRunner.aw;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** aw sockets (the hub's connections) and aw sockets inspect (socket options of a live channel). */
class HubSocketsTest {

    @Test
    void connectionsWithTrafficRoomsAndSocketOptions() throws Exception {
        Path home = Files.createTempDirectory(Path.of("/tmp"), "awconnz").resolve("home");
        try (AgentwireHub hub = AgentwireHub.builder()
                        .home(home)
                        .set("clientPort", "0")
                        .build()
                        .start();
                AgentwireClient agent = AgentwireClient.builder()
                        .endpoint(hub.endpoint())
                        .name("busy-agent")
                        .reconnect(false)
                        .connect();
                AgentwireClient tcp = AgentwireClient.builder()
                        .endpoint("tcp://127.0.0.1:" + hub.tcpPort().getAsInt())
                        .token(hub.token())
                        .reconnect(false)
                        .connect()) {
            agent.rooms().join("lobby", m -> {}).get(10, TimeUnit.SECONDS);
            agent.rooms().publish("lobby", "hello", null).get(10, TimeUnit.SECONDS);
            AwRunner.Result r = aw("sockets", "--json", "--connect", hub.endpoint());
            assertThat(r.code()).as(r.err()).isZero();
            JsonNode busy = null;
            JsonNode viaTcp = null;
            for (JsonNode c : Json.mapper().readTree(r.out()).path("connections")) {
                if (c.path("name").asText().equals("busy-agent")) {
                    busy = c;
                }
                if (c.path("transport").asText().equals("tcp")) {
                    viaTcp = c;
                }
            }
            assertThat(busy).isNotNull();
            assertThat(busy.path("transport").asText()).isEqualTo("unix");
            assertThat(busy.path("pid").asLong())
                    .isEqualTo(ProcessHandle.current().pid());
            assertThat(busy.path("rooms").toString()).contains("lobby");
            assertThat(busy.path("messagesIn").asLong()).isGreaterThanOrEqualTo(3); // hello, join, publish
            assertThat(busy.path("bytesIn").asLong()).isPositive();
            assertThat(busy.path("messagesOut").asLong()).isGreaterThanOrEqualTo(3);
            assertThat(busy.path("session").asText()).isEqualTo("default");
            assertThat(viaTcp).isNotNull();
            assertThat(viaTcp.path("address").asText()).startsWith("127.0.0.1");
            assertThat(aw("sockets", "--connect", hub.endpoint()).out()).contains("TRANSPORT", "busy", "lobby");

            JsonNode inspected = Json.mapper()
                    .readTree(aw("sockets", "inspect", viaTcp.path("id").asText(), "--connect", hub.endpoint())
                            .out());
            assertThat(inspected.path("socketOptions").path("TCP_NODELAY").asBoolean())
                    .isTrue();
            assertThat(inspected.path("socketOptions").path("SO_SNDBUF").asInt())
                    .isPositive();
            JsonNode unixOptions = Json.mapper()
                    .readTree(aw("sockets", "inspect", busy.path("id").asText(), "--connect", hub.endpoint())
                            .out())
                    .path("socketOptions");
            assertThat(unixOptions.has("TCP_NODELAY"))
                    .as("no TCP options on a Unix socket")
                    .isFalse();
            assertThat(unixOptions.path("ALLOW_HALF_CLOSURE").asBoolean()).isTrue();

            AwRunner.Result missing = aw("sockets", "inspect", "99999", "--connect", hub.endpoint());
            assertThat(missing.code()).isEqualTo(ExitCodes.ERROR);
            assertThat(missing.err()).contains("no connection 99999");
        }
    }
}
