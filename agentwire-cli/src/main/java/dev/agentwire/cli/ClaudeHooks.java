package dev.agentwire.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code --settings} JSON that makes one launch of Claude Code report the end of its turns to the hub: its
 * {@code Stop} and {@code Notification} hooks run {@code aw notify EVENT}, which reads the terminal's id from
 * {@code AGENTWIRE_TERMINAL_ID} (the hub sets it in every terminal). Stateless.
 */
final class ClaudeHooks {

    static final List<String> EVENTS = List.of("Stop", "Notification");

    private ClaudeHooks() {}

    /**
     * The settings; {@code endpoint}, if given, is passed to {@code aw notify} as {@code --connect}. Each hook ends
     * with {@code || true}: a Stop hook that exits 2 would tell Claude to go on working, and 2 is aw's usage error.
     */
    static String settings(String endpoint) {
        String aw = "aw notify" + (endpoint == null ? "" : " --connect " + TermCommands.shellQuote(endpoint));
        ObjectNode root = Json.mapper().createObjectNode();
        ObjectNode hooks = root.putObject("hooks");
        for (String event : EVENTS) {
            hooks.putArray(event)
                    .addObject()
                    .putArray("hooks")
                    .addObject()
                    .put("type", "command")
                    .put("command", aw + " " + event + " || true");
        }
        return root.toString();
    }

    /** {@code command} with {@code --settings JSON} after its program (Claude Code's first word). */
    static List<String> install(List<String> command, String endpoint) {
        List<String> out = new ArrayList<>(command.size() + 2);
        out.add(command.get(0));
        out.add("--settings");
        out.add(settings(endpoint));
        out.addAll(command.subList(1, command.size()));
        return out;
    }
}
