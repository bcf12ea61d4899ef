package dev.agentwire.cli;

import dev.agentwire.client.AgentwireClient;
import java.time.Duration;
import picocli.CommandLine;
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
            paramLabel = "DURATION",
            description = "how long to wait for the hub: 500ms, 5s, 2m (default: 5s; for aw call, 60s for the tool)")
    String timeout;

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec mixee;

    /** Prints {@code value} as indented JSON: what every reading command prints with --json. */
    static void printJson(java.io.PrintWriter out, com.fasterxml.jackson.databind.JsonNode value)
            throws java.io.IOException {
        out.println(dev.agentwire.protocol.Json.mapper()
                .writerWithDefaultPrettyPrinter()
                .writeValueAsString(value));
    }

    /** The --timeout given, or {@code fallback}. */
    Duration timeout(Duration fallback) {
        return timeout == null ? fallback : Durations.parse(timeout, mixee.commandLine());
    }

    @Option(names = "--json", description = "print JSON instead of text")
    boolean json;

    AgentwireClient connect(String name) {
        return connect(name, null);
    }

    /** Connects, joining {@code session} if given. */
    AgentwireClient connect(String name, String session) {
        AgentwireClient.Builder b = builder(name);
        if (session != null) {
            b.session(session);
        }
        return b.connect();
    }

    /** A client builder with these options, not reconnecting (long-running commands turn that on). */
    AgentwireClient.Builder builder(String name) {
        AgentwireClient.Builder b = AgentwireClient.builder()
                .name(name)
                .role("cli")
                .reconnect(false)
                .requestTimeout(timeout(Duration.ofSeconds(5)))
                .connectTimeout(Duration.ofMillis(
                        Math.min(timeout(Duration.ofSeconds(5)).toMillis(), 5000)));
        if (endpoint != null) {
            b.endpoint(endpoint);
        }
        if (token != null) {
            b.token(token);
        }
        return b;
    }
}
