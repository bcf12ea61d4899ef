package dev.agentwire.cli;

import static dev.agentwire.cli.AwRunner.aw;
import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What {@link HubCall} gives every command built on it: the name it connects as, and its failures' exit codes. */
class HubCallTest {

    private AgentwireHub hub;

    @BeforeEach
    void start() throws Exception {
        hub = AgentwireHub.builder()
                .home(Files.createTempDirectory(Path.of("/tmp"), "awcall").resolve("home"))
                .set("clientPort", "0")
                .build()
                .start();
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private static void collect(CommandLine cl, Map<String, String> names) {
        if (cl.getCommand() instanceof HubCall) {
            names.put(cl.getCommandSpec().qualifiedName(), HubCall.clientName(cl.getCommandSpec()));
        }
        cl.getSubcommands().values().forEach(sub -> collect(sub, names));
    }

    @Test
    void eachCommandConnectsAsTheCommandDirectlyUnderAw() {
        Map<String, String> names = new TreeMap<>();
        collect(Aw.commandLine(), names);
        assertThat(names)
                .containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                        entry("aw status", "aw-status"),
                        entry("aw ping", "aw-ping"),
                        entry("aw sessions", "aw-sessions"),
                        entry("aw tools", "aw-tools"),
                        entry("aw call", "aw-call"),
                        entry("aw cluster", "aw-cluster"),
                        entry("aw rooms", "aw-rooms"),
                        entry("aw send", "aw-send"),
                        entry("aw history", "aw-history"),
                        entry("aw services", "aw-services"),
                        entry("aw request", "aw-request"),
                        entry("aw route-llm", "aw-route-llm"),
                        entry("aw sockets", "aw-sockets"),
                        entry("aw sockets inspect", "aw-sockets"),
                        entry("aw token create", "aw-token"),
                        entry("aw token revoke", "aw-token"),
                        entry("aw open", "aw-open"),
                        entry("aw notify", "aw-notify"),
                        entry("aw calls", "aw-calls"),
                        entry("aw replay", "aw-replay"),
                        entry("aw term new", "aw-term"),
                        entry("aw term send", "aw-term"),
                        entry("aw term keys", "aw-term"),
                        entry("aw term read", "aw-term"),
                        entry("aw term status", "aw-term"),
                        entry("aw term kill", "aw-term"),
                        entry("aw term ls", "aw-term")));
    }

    @Test
    void theHubSeesThatName() throws Exception {
        AwRunner.Result r = aw("sockets", "--json", "--connect", hub.endpoint());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode connections = Json.mapper().readTree(r.out()).path("connections");
        assertThat(connections.findValuesAsText("name")).contains("aw-sockets");
    }

    @Test
    void anAnswerThatComesTooLateExits5() throws Exception {
        try (AgentwireClient server = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect()) {
            server.services()
                    .serve("never", (req, ctx) -> new CompletableFuture<>())
                    .get();
            AwRunner.Result r = aw("request", "never", "x", "--timeout", "300ms", "--connect", hub.endpoint());
            assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.TIMEOUT);
            assertThat(r.err()).startsWith("aw request: ");
        }
    }

    @Test
    void aForbiddenCallExits4() throws Exception {
        AwRunner.Result minted = aw(
                "token", "create", "--sub", "reader", "--scope", "rooms:read:*", "--json", "--connect", hub.endpoint());
        assertThat(minted.code()).as(minted.err()).isZero();
        String token = Json.mapper().readTree(minted.out()).path("token").asText();
        AwRunner.Result r = aw(
                "token",
                "create",
                "--sub",
                "more",
                "--connect",
                "tcp://127.0.0.1:" + hub.tcpPort().getAsInt(),
                "--token",
                token);
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.REFUSED);
        assertThat(r.err()).contains("lacks the scope admin");
    }
}
