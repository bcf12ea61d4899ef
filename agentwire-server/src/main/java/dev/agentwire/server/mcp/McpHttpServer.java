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
        long mine = sessions.values().stream()
                .filter(x -> x.subject().equals(grant.subject()))
                .count();
        if (sessions.size() >= settings.maxSessions() || mine >= perIdentity()) {
            return Optional.empty();
        }
        byte[] b = new byte[18];
        random.nextBytes(b);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        McpHttpSession s = new McpHttpSession(id, grant.subject(), grant.scopes(), this);
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

    /** Sessions one identity may hold: a quarter of {@code mcp.maxSessions}, so that one cannot take them all. */
    private int perIdentity() {
        return Math.max(1, settings.maxSessions() / 4);
    }

    /**
     * The session {@code id}, if {@code grant} is of the identity and scopes that opened it; another's session is as
     * good as unknown.
     */
    Optional<McpHttpSession> find(String id, TokenService.Grant grant) {
        sweep(); // idle sessions go whenever MCP traffic comes, not only on initialize
        McpHttpSession s = id == null ? null : sessions.get(id);
        return s == null
                        || s.isClosed()
                        || !s.subject().equals(grant.subject())
                        || !s.scopes().equals(grant.scopes())
                ? Optional.empty()
                : Optional.of(s);
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
