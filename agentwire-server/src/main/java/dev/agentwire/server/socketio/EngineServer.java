package dev.agentwire.server.socketio;

import dev.agentwire.core.HubCore;
import dev.agentwire.core.auth.TokenService;
import io.netty.channel.Channel;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The hub's Engine.IO server: its sessions by id, the count of those that have not connected a namespace yet
 * (bounded by {@code socketio.maxPending}), and the sockets that may still be recovered. One per hub; thread
 * safe. The Netty side is {@link EngineIoHandler}, one per HTTP connection.
 */
public final class EngineServer {

    private final HubCore core;
    private final SocketIoSettings settings;
    private final ConcurrentHashMap<String, EngineSession> sessions = new ConcurrentHashMap<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final Recoveries recoveries;
    private final SecureRandom random = new SecureRandom();

    public EngineServer(HubCore core, SocketIoSettings settings) {
        this.core = core;
        this.settings = settings;
        this.recoveries = new Recoveries(settings.recoveryWindowMs());
    }

    public SocketIoSettings settings() {
        return settings;
    }

    HubCore core() {
        return core;
    }

    Recoveries recoveries() {
        return recoveries;
    }

    /** Sessions open now (for status). */
    public int sessionCount() {
        return sessions.size();
    }

    /**
     * A new session for a handshake on {@code channel}, or empty when {@code socketio.maxPending} sessions are
     * already waiting for their first namespace.
     */
    Optional<EngineSession> open(Channel channel, String address, Optional<TokenService.Grant> httpGrant) {
        if (pending.incrementAndGet() > settings.maxPending()) {
            pending.decrementAndGet();
            return Optional.empty();
        }
        EngineSession s = new EngineSession(this, newId(), address, httpGrant, channel.eventLoop());
        sessions.put(s.sid(), s);
        s.start();
        return Optional.of(s);
    }

    Optional<EngineSession> find(String sid) {
        return sid == null ? Optional.empty() : Optional.ofNullable(sessions.get(sid));
    }

    /** A session connected its first namespace: it no longer counts as pending. */
    void connected(EngineSession s) {
        pending.decrementAndGet();
    }

    void removed(EngineSession s, boolean wasPending) {
        if (sessions.remove(s.sid(), s) && wasPending) {
            pending.decrementAndGet();
        }
    }

    /** Closes every session (the hub stops). */
    public void closeAll() {
        for (EngineSession s : sessions.values()) {
            s.close("server shutting down");
        }
    }

    /** A random id that cannot be guessed: 120 bits, URL-safe. */
    String newId() {
        byte[] b = new byte[15];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
