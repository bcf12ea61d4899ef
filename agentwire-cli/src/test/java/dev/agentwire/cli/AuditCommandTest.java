package dev.agentwire.cli;

import static dev.agentwire.cli.AwRunner.aw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code aw audit}: the hub's audit log as a table or as JSON lines, with or without a hub. */
class AuditCommandTest {

    @Test
    void printsWhatTheHubAudited() throws Exception {
        Path home = Files.createTempDirectory(Path.of("/tmp"), "aw").resolve("home");
        assertThat(aw("audit", "--home", home.toString()).code()).isEqualTo(ExitCodes.USAGE);
        try (AgentwireHub hub =
                AgentwireHub.builder().home(home).set("clientPort", "0").build().start()) {
            try (Socket s = new Socket("127.0.0.1", hub.tcpPort().getAsInt())) {
                OutputStream out = s.getOutputStream();
                out.write("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/hello\",\"params\":{\"token\":\"wrong\"}}\n"
                        .getBytes(StandardCharsets.UTF_8));
                new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> aw("audit", "--home", home.toString()).out().contains("login_failed"));
        }
        AwRunner.Result table = aw("audit", "--home", home.toString());
        assertThat(table.code()).isZero();
        assertThat(table.out()).contains("login_failed", "reason=bad_token", "transport=tcp");
        AwRunner.Result json = aw("audit", "--home", home.toString(), "--json", "-n", "1");
        assertThat(json.code()).isZero();
        assertThat(json.out().lines()).hasSize(1);
        assertThat(Json.mapper().readTree(json.out()).path("event").asText()).isEqualTo("login_failed");
    }
}
