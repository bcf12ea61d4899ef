package dev.agentwire.core;

import java.util.Locale;

/** How a peer reached the hub. */
public enum Transport {
    /** A Unix domain socket (file path or Linux abstract name); identity from the kernel. */
    UNIX,
    /** A loopback TCP stream speaking NDJSON or frames; identity from a token. */
    TCP,
    /** A WebSocket on the TCP port. */
    WEBSOCKET,
    /** A plain HTTP request on the TCP port. */
    HTTP,
    /** A Socket.IO socket (Engine.IO long-polling or WebSocket) on the TCP port; identity from a token. */
    SOCKET_IO,
    /** An MCP session over Streamable HTTP ({@code /mcp}) on the TCP port; identity from a token. */
    MCP_HTTP;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** Lower-case name as shown on the wire and in metrics. */
    public String label() {
        return label;
    }
}
