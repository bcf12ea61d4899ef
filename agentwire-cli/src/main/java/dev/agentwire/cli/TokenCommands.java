package dev.agentwire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aw token create} and {@code aw token revoke}. */
@Command(
        name = "token",
        mixinStandardHelpOptions = true,
        description = "Mint and revoke scoped tokens (JWT signed with the hub's secret) for TCP and WebSocket clients.",
        subcommands = {TokenCommands.Create.class, TokenCommands.Revoke.class})
final class TokenCommands implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = {
                "Mint a token; prints it (with --json also its id and expiry).",
                "Scopes: tools:call, tools:provide, rooms:read:ROOM, rooms:write:ROOM (ROOM may end in *),",
                "services:request, services:provide, terminals, admin, or * for everything."
            })
    static final class Create implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--sub", required = true, paramLabel = "NAME", description = "who the token is for")
        String sub;

        @Option(names = "--scope", paramLabel = "SCOPE", description = "a scope to grant (repeat for more)")
        List<String> scopes = new ArrayList<>();

        @Option(
                names = "--ttl",
                paramLabel = "DURATION",
                defaultValue = "1h",
                description = "how long it is valid: 30m, 1h, 24h (default: ${DEFAULT-VALUE})")
        String ttl;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Duration life = Durations.parse(ttl, spec.commandLine());
            PrintWriter out = spec.commandLine().getOut();
            try (AgentwireClient c = client.connect("aw-token")) {
                ObjectNode params = Json.mapper()
                        .createObjectNode()
                        .put("sub", sub)
                        .put("ttlSeconds", Math.max(1, life.toSeconds()));
                var array = params.putArray("scopes");
                scopes.forEach(array::add);
                JsonNode minted = c.request("tokens/create", params).get();
                out.println(
                        client.json ? minted.toString() : minted.path("token").asText());
                out.flush();
            }
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "revoke",
            mixinStandardHelpOptions = true,
            description = "Revoke a token by its id (jti, from aw token create --json).")
    static final class Revoke implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "JTI")
        String jti;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            try (AgentwireClient c = client.connect("aw-token")) {
                c.request("tokens/revoke", Json.mapper().createObjectNode().put("jti", jti))
                        .get();
                spec.commandLine().getOut().println("revoked " + jti);
                spec.commandLine().getOut().flush();
            }
            return ExitCodes.OK;
        }
    }
}
