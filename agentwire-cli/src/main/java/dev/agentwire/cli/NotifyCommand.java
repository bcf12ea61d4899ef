package dev.agentwire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code aw notify EVENT}: Claude Code's hook EVENT ran in this terminal; the hub publishes {@code claude-turn}
 * ({@code terminals/notify}). What {@code aw term new --claude-hooks} installs.
 */
@Command(
        name = "notify",
        mixinStandardHelpOptions = true,
        description = {
            "Tell the hub that Claude Code's turn ended in this terminal (a Stop or Notification hook ran).",
            "The terminal is AGENTWIRE_TERMINAL_ID, which the hub sets in every terminal, or --id."
        })
final class NotifyCommand extends HubCall {

    @Parameters(index = "0", paramLabel = "EVENT", description = "the hook: Stop, SubagentStop or Notification")
    String event;

    @Option(names = "--id", paramLabel = "ID", description = "the terminal (default: AGENTWIRE_TERMINAL_ID)")
    String id;

    @Option(names = "--message", paramLabel = "TEXT", description = "what the notification says")
    String message;

    @Override
    Ask prepare() {
        String terminal = id != null ? id : System.getenv("AGENTWIRE_TERMINAL_ID");
        if (terminal == null || terminal.isEmpty()) {
            throw usage("aw notify: no terminal: AGENTWIRE_TERMINAL_ID is not set (run it inside a terminal of the"
                    + " hub) and no --id was given");
        }
        ObjectNode params = Json.mapper().createObjectNode().put("id", terminal).put("event", event);
        if (message != null) {
            params.put("message", message);
        }
        return request("terminals/notify", params);
    }

    @Override
    void printText(PrintWriter out, JsonNode answer) {
        // quiet: it runs in Claude Code's hooks
    }
}
