package dev.agentwire.core.hub;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.HubContext;
import dev.agentwire.core.rpc.Access;
import dev.agentwire.core.rpc.Call;
import dev.agentwire.core.rpc.Method;
import dev.agentwire.protocol.Json;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The MCP lifecycle, so that any MCP client can talk to the hub: {@code initialize},
 * {@code notifications/initialized} and {@code ping}.
 */
public final class McpMethods {

    /** MCP protocol revisions the hub speaks, oldest first. */
    public static final List<String> PROTOCOL_VERSIONS =
            List.of("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25");

    private final HubContext hub;

    private McpMethods(HubContext hub) {
        this.hub = hub;
    }

    public static void register(HubContext hub) {
        McpMethods m = new McpMethods(hub);
        hub.registry().register("initialize", Access.authenticated(), m::initialize);
        hub.registry().register("notifications/initialized", Access.authenticated(), McpMethods::initialized);
        hub.registry().register(Method.inline("ping", Access.authenticated(), McpMethods::ping));
        // The hub keeps no MCP log of its own to send; a client may still set the level it wants, as MCP allows.
        hub.registry().register(Method.inline("logging/setLevel", Access.authenticated(), McpMethods::setLevel));
    }

    record Initialize(
            @JsonProperty("protocolVersion") String protocolVersion,
            @JsonProperty("capabilities") JsonNode capabilities,
            @JsonProperty("clientInfo") JsonNode clientInfo) {}

    private CompletionStage<JsonNode> initialize(Call call) {
        Initialize init = call.params(Initialize.class);
        String version = init.protocolVersion() != null && PROTOCOL_VERSIONS.contains(init.protocolVersion())
                ? init.protocolVersion()
                : PROTOCOL_VERSIONS.get(PROTOCOL_VERSIONS.size() - 1);
        if (init.capabilities() != null && init.capabilities().isObject()) {
            call.connection().set(dev.agentwire.core.relay.Caller.MCP_CAPABILITIES, init.capabilities());
        }
        if (init.clientInfo() != null && init.clientInfo().hasNonNull("name")) {
            call.connection().introduce(init.clientInfo().get("name").asText(), "mcp-client");
        }
        ObjectNode r = Json.mapper().createObjectNode();
        r.put("protocolVersion", version);
        ObjectNode capabilities = r.putObject("capabilities");
        capabilities.putObject("tools").put("listChanged", true);
        capabilities.putObject("logging");
        capabilities.putObject("prompts").put("listChanged", true);
        capabilities.putObject("resources").put("subscribe", true).put("listChanged", true);
        capabilities.putObject("completions");
        ObjectNode info = r.putObject("serverInfo");
        info.put("name", "agentwire");
        info.put("version", hub.settings().version());
        r.put(
                "instructions",
                "agentwire hub: tools, prompts and resources provided by browser tabs and programs in this session;"
                        + " see docs/PROTOCOL.md");
        return CompletableFuture.completedFuture(r);
    }

    private static CompletionStage<JsonNode> initialized(Call call) {
        call.connection().markMcpInitialized();
        return CompletableFuture.completedFuture(Json.mapper().nullNode());
    }

    private static CompletionStage<JsonNode> setLevel(Call call) {
        String level = call.params().path("level").asText("");
        if (!LEVELS.contains(level)) {
            throw dev.agentwire.core.HubException.of(
                    dev.agentwire.protocol.ErrorCode.INVALID_PARAMS,
                    "invalid_params",
                    "logging/setLevel needs level, one of " + LEVELS);
        }
        return CompletableFuture.completedFuture(Json.mapper().createObjectNode());
    }

    /** MCP's log levels (RFC 5424's). */
    static final List<String> LEVELS =
            List.of("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency");

    private static CompletionStage<JsonNode> ping(Call call) {
        return CompletableFuture.completedFuture(Json.mapper().createObjectNode());
    }
}
