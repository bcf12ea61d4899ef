package dev.agentwire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
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
    static final class Create extends HubCall {
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

        @Override
        Ask prepare() {
            Duration life = Durations.parse(ttl, spec.commandLine());
            ObjectNode params =
                    Json.mapper().createObjectNode().put("sub", sub).put("ttlSeconds", Math.max(1, life.toSeconds()));
            var array = params.putArray("scopes");
            scopes.forEach(array::add);
            return request("tokens/create", params);
        }

        @Override
        void printJson(PrintWriter out, JsonNode minted) {
            out.println(minted.toString());
        }

        @Override
        void printText(PrintWriter out, JsonNode minted) {
            out.println(minted.path("token").asText());
        }
    }

    @Command(
            name = "revoke",
            mixinStandardHelpOptions = true,
            description = "Revoke a token by its id (jti, from aw token create --json).")
    static final class Revoke extends HubCall {
        @Parameters(index = "0", paramLabel = "JTI")
        String jti;

        @Override
        Ask prepare() {
            return request("tokens/revoke", Json.mapper().createObjectNode().put("jti", jti));
        }

        /** The same line either way. */
        @Override
        void printJson(PrintWriter out, JsonNode answer) {
            printText(out, answer);
        }

        @Override
        void printText(PrintWriter out, JsonNode answer) {
            out.println("revoked " + jti);
        }
    }
}
