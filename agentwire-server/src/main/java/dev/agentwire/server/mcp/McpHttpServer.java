package dev.agentwire.server.mcp;

import dev.agentwire.core.HubCore;
import dev.agentwire.core.HubException;
import dev.agentwire.core.Peer;
import dev.agentwire.core.Transport;
import dev.agentwire.core.auth.TokenService;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hub's MCP Streamable HTTP sessions by {@code Mcp-Session-Id}: each one a hub connection authenticated as the
 * identity that initialized it. Sessions idle past {@code mcp.sessionIdleMs} (no request, no open stream) are
 * closed when the next one is made. One per hub; thread safe. The Netty side is {@link McpHttpHandler}.
 */
public final class McpHttpServer {

    private final HubCore core;
    private final McpHttpSettings settings;
    private final ConcurrentHashMap<String, McpHttpSession> sessions = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    public McpHttpServer(HubCore core, McpHttpSettings settings) {
        this.core = core;
        this.settings = settings;
    }

    McpHttpSettings settings() {
        return settings;
    }

    /** A new session for {@code grant}, or empty when {@code mcp.maxSessions} are open. */
    Optional<McpHttpSession> open(TokenService.Grant grant, String address) {
        sweep();
        if (sessions.size() >= settings.maxSessions()) {
            return Optional.empty();
        }
        byte[] b = new byte[18];
        random.nextBytes(b);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        McpHttpSession s = new McpHttpSession(id, grant.subject(), this);
        var c = core.open(Peer.remote(Transport.MCP_HTTP, address), s);
        s.attach(c);
        try {
            core.authenticate(c, grant);
        } catch (HubException e) {
            c.closed();
            throw e;
        }
        sessions.put(id, s);
        return Optional.of(s);
    }

    /** The session {@code id} of {@code subject}; another identity's session is as good as unknown. */
    Optional<McpHttpSession> find(String id, String subject) {
        McpHttpSession s = id == null ? null : sessions.get(id);
        return s == null || s.isClosed() || !s.subject().equals(subject) ? Optional.empty() : Optional.of(s);
    }

    void close(McpHttpSession s) {
        if (sessions.remove(s.id(), s)) {
            s.closed();
        }
    }

    /** Closes every session (the hub stops). */
    public void closeAll() {
        sessions.values().forEach(this::close);
    }

    private void sweep() {
        long now = System.currentTimeMillis();
        for (McpHttpSession s : sessions.values()) {
            if (now - s.lastActive() > settings.sessionIdleMs() && !s.hasOpenStreams()) {
                close(s);
            }
        }
    }
}
