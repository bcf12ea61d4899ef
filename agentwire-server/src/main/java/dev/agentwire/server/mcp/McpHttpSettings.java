package dev.agentwire.server.mcp;

import dev.agentwire.core.Setting;
import dev.agentwire.core.Setting.Kind;

/**
 * The MCP Streamable HTTP endpoint's knobs ({@code mcp.*}), fixed at start.
 *
 * @param enabled whether {@code /mcp} answers at all
 * @param sessionIdleMs how long a session without requests or open streams lives
 * @param keepAliveMs how often an open SSE stream gets a comment line
 * @param maxSessions MCP sessions open at once, in total
 * @param replayEvents SSE events each stream keeps for a client that resumes with {@code Last-Event-ID}
 */
@Setting.Section("mcp")
public record McpHttpSettings(
        @Setting(value = "true", kind = Kind.BOOLEAN, doc = "serve MCP over Streamable HTTP at /mcp on the TCP port")
        boolean enabled,

        @Setting(
                value = "1800000",
                kind = Kind.MILLIS,
                min = 1000,
                max = 604_800_000,
                doc = "how long an MCP session without requests or open streams lives")
        long sessionIdleMs,

        @Setting(
                value = "15000",
                kind = Kind.MILLIS,
                min = 100,
                max = 3_600_000,
                doc = "how often an open MCP SSE stream gets a keep-alive comment")
        long keepAliveMs,

        @Setting(
                value = "256",
                kind = Kind.INTEGER,
                min = 1,
                max = 100_000,
                doc = "MCP sessions open at once, in total; more initialize requests get 503")
        int maxSessions,

        @Setting(
                value = "256",
                kind = Kind.INTEGER,
                min = 0,
                max = 100_000,
                doc = "SSE events each MCP stream keeps for a client that resumes with Last-Event-ID")
        int replayEvents) {

    public static McpHttpSettings defaults() {
        return new McpHttpSettings(true, 1_800_000, 15_000, 256, 256);
    }
}
