package dev.agentwire.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static final Path HOME = Path.of("/tmp/aw-home");

    @Test
    void defaultsAreTheEmbeddedOnes() {
        HubConfig c = new ConfigLoader().load(HOME);
        assertThat(c.socketPath()).isEqualTo(HOME.resolve("hub.sock"));
        assertThat(c.socketMode()).isEqualTo(0600);
        assertThat(c.socketCleanup()).isTrue();
        assertThat(c.clientPort()).isEqualTo(8765);
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.maxMessageBytes()).isEqualTo(16 * 1024 * 1024);
        assertThat(c.helloTimeoutMs()).isEqualTo(5000);
        assertThat(c.idlePingSeconds()).isEqualTo(30);
        assertThat(c.sessionsTtlSeconds()).isEqualTo(3600);
        assertThat(c.allowUids()).isEmpty();
    }

    @Test
    void acceptsTheBtcpSeedsYaml(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("btcp-server.yaml");
        Files.writeString(
                yaml,
                String.join(
                        "\n",
                        "# btcp-server.yaml",
                        "server:",
                        "  transport: socket-native",
                        "  socket:",
                        "    path: /tmp/btcp.sock",
                        "    mode: 0660",
                        "    cleanup: true",
                        "clientPort: 8765",
                        "sessions:",
                        "  ttl: 3600",
                        "logging:",
                        "  level: debug",
                        "  transport: true",
                        "security:",
                        "  allowUids: [1000, 1001]",
                        ""));
        HubConfig c = new ConfigLoader().yaml(yaml).load(HOME);
        assertThat(c.socketPath()).isEqualTo(Path.of("/tmp/btcp.sock"));
        assertThat(c.socketMode()).as("0660 stays octal").isEqualTo(0660);
        assertThat(c.logLevel()).isEqualTo("debug");
        assertThat(c.logTransport()).isTrue();
        assertThat(c.allowUids()).containsExactly(1000, 1001);
    }

    @Test
    void unknownKeysAreErrorsNamingKeyAndLine() {
        assertThatThrownBy(() -> new ConfigLoader().yamlText("server:\n  sokcet:\n    path: /x\n", "agentwire.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown config key server.sokcet.path")
                .hasMessageContaining("agentwire.yaml line 3");
    }

    @Test
    void badValuesAreErrorsNamingKeyValueAndSource() {
        assertThatThrownBy(() -> new ConfigLoader()
                        .yamlText("server:\n  socket:\n    mode: 0999\n", "a.yaml")
                        .load(HOME))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.socket.mode")
                .hasMessageContaining("'0999'")
                .hasMessageContaining("a.yaml line 3")
                .hasMessageContaining("octal");
        assertThatThrownBy(() -> new ConfigLoader()
                        .environment(Map.of("AGENTWIRE_PORT", "eighty"))
                        .load(HOME))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("clientPort")
                .hasMessageContaining("'eighty'")
                .hasMessageContaining("environment AGENTWIRE_PORT");
        assertThatThrownBy(() -> new ConfigLoader()
                        .set("clientPort", "70000", "flag --port")
                        .load(HOME))
                .hasMessageContaining("from -1 to 65535")
                .hasMessageContaining("flag --port");
        assertThatThrownBy(() -> new ConfigLoader().set("no.such", "1", "flag --set"))
                .hasMessageContaining("unknown config key no.such");
        assertThatThrownBy(() -> new ConfigLoader()
                        .yamlText("logging:\n  level: loud\n", "a.yaml")
                        .load(HOME))
                .hasMessageContaining("expected one of");
        assertThatThrownBy(() -> new ConfigLoader().yamlText("- a\n- b\n", "a.yaml"))
                .hasMessageContaining("must be a mapping");
        assertThatThrownBy(() -> new ConfigLoader().yamlText("server: [\n", "a.yaml"))
                .hasMessageContaining("not valid YAML");
    }

    @Test
    void environmentTakesTheBtcpAliasesAndFullNames() {
        HubConfig c = new ConfigLoader()
                .environment(Map.of(
                        "BTCP_TRANSPORT", "socket-native",
                        "BTCP_SOCKET_PATH", "/tmp/b.sock",
                        "BTCP_SOCKET_MODE", "0660",
                        "AGENTWIRE_LIMITS_MAX_MESSAGE_BYTES", "64KiB",
                        "AGENTWIRE_SECURITY_ALLOW_GIDS", "10,20"))
                .load(HOME);
        assertThat(c.socketPath()).isEqualTo(Path.of("/tmp/b.sock"));
        assertThat(c.socketMode()).isEqualTo(0660);
        assertThat(c.maxMessageBytes()).isEqualTo(64 * 1024);
        assertThat(c.allowGids()).containsExactly(10, 20);
        assertThat(ConfigKeys.find("server.socket.highWaterMark").orElseThrow().envName())
                .isEqualTo("AGENTWIRE_SERVER_SOCKET_HIGH_WATER_MARK");
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsYaml() {
        ConfigLoader yamlOnly = new ConfigLoader().yamlText("clientPort: 1111\n", "a.yaml");
        assertThat(yamlOnly.load(HOME).clientPort()).isEqualTo(1111);
        ConfigLoader withEnv = new ConfigLoader()
                .yamlText("clientPort: 1111\n", "a.yaml")
                .environment(Map.of("AGENTWIRE_PORT", "2222"));
        assertThat(withEnv.load(HOME).clientPort()).isEqualTo(2222);
        withEnv.set("clientPort", "3333", "flag --port");
        assertThat(withEnv.load(HOME).clientPort()).isEqualTo(3333);
        assertThat(withEnv.sourceOf("clientPort")).contains("flag --port");
        assertThat(new ConfigLoader()
                        .environment(Map.of("AGENTWIRE_PORT", "1", "AGENTWIRE_CLIENT_PORT", "2"))
                        .load(HOME)
                        .clientPort())
                .as("the full name wins over the short alias")
                .isEqualTo(2);
    }

    @Test
    void abstractSocketsTakeTheirNameFromThePath() {
        HubConfig c = new ConfigLoader()
                .set("server.socket.abstract", "true", "t")
                .set("server.socket.path", "@hub-x", "t")
                .load(HOME);
        assertThat(c.abstractName()).isEqualTo("hub-x");
        assertThat(c.socketDisplay()).isEqualTo("@hub-x");
        assertThatThrownBy(() ->
                        new ConfigLoader().set("server.socket.path", "@x", "t").load(HOME))
                .hasMessageContaining("server.socket.abstract: true");
    }

    @Test
    void sizesTakeUnits() {
        for (var e : Map.of("65536", 65536L, "64KiB", 65536L, "64k", 65536L, "1MiB", 1048576L, "2MB", 2097152L)
                .entrySet()) {
            assertThat(new ConfigLoader()
                            .set("limits.maxOutboundBytes", e.getKey(), "t")
                            .load(HOME)
                            .maxOutboundBytes())
                    .as(e.getKey())
                    .isEqualTo(e.getValue());
        }
        assertThatThrownBy(() -> new ConfigLoader()
                        .set("limits.maxOutboundBytes", "lots", "t")
                        .load(HOME))
                .hasMessageContaining("expected a size");
        assertThat(List.of(ConfigKeys.all().keySet().toArray())).contains("server.socket.path", "clientPort");
    }

    @Test
    void everyKeyIsDocumented() throws Exception {
        Path doc = Path.of("..", "docs", "CONFIGURATION.md");
        String text = Files.readString(doc);
        for (ConfigKeys.Key k : ConfigKeys.all().values()) {
            assertThat(text).as("docs/CONFIGURATION.md documents " + k.path()).contains("| `" + k.path() + "` |");
            assertThat(text).contains(k.envName());
        }
    }

    @Test
    void perRoomRetentionIsParsedAndMatchedByPrefix() {
        HubConfig c = new ConfigLoader()
                .yamlText(
                        "rooms:\n  maxMessages: 500\n  retention: [\"logs/*=100000/86400\", \"lobby=50/60\"]\n",
                        "a.yaml")
                .load(HOME);
        assertThat(c.rooms().maxMessages("logs/build")).isEqualTo(100_000);
        assertThat(c.rooms().maxAgeSeconds("logs/build")).isEqualTo(86_400);
        assertThat(c.rooms().maxMessages("lobby")).isEqualTo(50);
        assertThat(c.rooms().maxMessages("other")).isEqualTo(500);
        assertThatThrownBy(() -> new ConfigLoader()
                        .set("rooms.retention", "lobby=lots", "flag --set")
                        .load(HOME))
                .hasMessageContaining("rooms.retention")
                .hasMessageContaining("ROOM=MAX_MESSAGES/MAX_AGE_SECONDS");
    }
}
