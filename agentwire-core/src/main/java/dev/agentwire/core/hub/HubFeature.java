package dev.agentwire.core.hub;

import dev.agentwire.core.Feature;
import dev.agentwire.core.HubContext;

/** The hub's own methods: {@code hub/hello}, {@code hub/ping}, {@code hub/status}, the connections, and MCP's lifecycle. */
public final class HubFeature implements Feature {

    @Override
    public void install(HubContext hub) {
        HubMethods.register(hub);
        ConnectionMethods.register(hub);
        McpMethods.register(hub);
    }
}
