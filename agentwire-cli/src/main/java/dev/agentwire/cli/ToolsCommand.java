package dev.agentwire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.agentwire.protocol.Json;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code aw tools}: the tools of a session. */
@Command(name = "tools", mixinStandardHelpOptions = true, description = "List the tools of a session (every page).")
final class ToolsCommand extends HubCall {

    @Mixin
    SessionOption session;

    @Override
    String session() {
        return session.session;
    }

    @Override
    Ask prepare() {
        return hub -> {
            ArrayNode all = Json.mapper().createArrayNode();
            String cursor = null;
            do {
                JsonNode page = hub.tools().list(cursor).get();
                page.path("tools").forEach(all::add);
                cursor = page.hasNonNull("nextCursor") ? page.path("nextCursor").asText() : null;
            } while (cursor != null);
            return all;
        };
    }

    @Override
    void printText(PrintWriter out, JsonNode all) {
        if (all.isEmpty()) {
            out.println("no tools in this session");
        }
        for (JsonNode t : all) {
            out.printf(
                    "%-28s %s%n", t.path("name").asText(), t.path("description").asText());
        }
    }
}
