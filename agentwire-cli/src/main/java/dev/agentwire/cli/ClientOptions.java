package dev.agentwire.cli;

import dev.agentwire.client.AgentwireClient;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How a reading command finds and talks to the hub. */
final class ClientOptions {

    @Option(
            names = {"-c", "--connect"},
            paramLabel = "ENDPOINT",
            description = "unix:/path, unix:@name or tcp://host:port (default: the local hub from hub.json)")
    String endpoint;

    @Option(names = "--token", paramLabel = "TOKEN", description = "token for TCP (default: AGENTWIRE_HOME/token)")
    String token;

    @Option(
            names = "--timeout",
            paramLabel = "MS",
            defaultValue = "5000",
            description = "how long to wait for each answer (default: ${DEFAULT-VALUE} ms)")
    long timeoutMs;

    @Option(names = "--json", description = "print JSON instead of text")
    boolean json;

    AgentwireClient connect(String name) {
        AgentwireClient.Builder b = AgentwireClient.builder()
                .name(name)
                .role("cli")
                .reconnect(false)
                .requestTimeout(Duration.ofMillis(timeoutMs))
                .connectTimeout(Duration.ofMillis(Math.min(timeoutMs, 5000)));
        if (endpoint != null) {
            b.endpoint(endpoint);
        }
        if (token != null) {
            b.token(token);
        }
        return b.connect();
    }
}
