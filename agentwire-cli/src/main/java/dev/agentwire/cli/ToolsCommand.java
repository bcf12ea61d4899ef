package dev.agentwire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code aw tools}: the tools of a session. */
@Command(name = "tools", mixinStandardHelpOptions = true, description = "List the tools of a session (every page).")
final class ToolsCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Mixin
    SessionOption session;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (AgentwireClient c = client.connect("aw-tools", session.session)) {
            ArrayNode all = Json.mapper().createArrayNode();
            String cursor = null;
            do {
                JsonNode page = c.tools().list(cursor).get();
                page.path("tools").forEach(all::add);
                cursor = page.hasNonNull("nextCursor") ? page.path("nextCursor").asText() : null;
            } while (cursor != null);
            if (client.json) {
                ClientOptions.printJson(out, all);
            } else if (all.isEmpty()) {
                out.println("no tools in this session");
            } else {
                for (JsonNode t : all) {
                    out.printf(
                            "%-28s %s%n",
                            t.path("name").asText(), t.path("description").asText());
                }
            }
            out.flush();
        }
        return ExitCodes.OK;
    }
}
