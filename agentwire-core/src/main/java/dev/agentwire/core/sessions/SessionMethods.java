package dev.agentwire.core.sessions;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.HubException;
import dev.agentwire.core.Ticker;
import dev.agentwire.core.TrustLimits;
import dev.agentwire.core.rpc.Access;
import dev.agentwire.core.rpc.Call;
import dev.agentwire.core.rpc.MethodRegistry;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Json;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code sessions/create}, {@code sessions/join}, {@code sessions/list}, {@code sessions/close}. Any authenticated
 * identity may call them; each sees, joins and closes only the sessions it may enter
 * ({@link SessionManager#mayEnter}: its own, the default one, those it was given, all for the owner).
 */
public final class SessionMethods {

    private final SessionManager sessions;
    private final Ticker ticker;
    private final Duration maxTtl;

    private SessionMethods(SessionManager sessions, Ticker ticker, Duration maxTtl) {
        this.sessions = sessions;
        this.ticker = ticker;
        this.maxTtl = maxTtl;
    }

    /** @param maxTtl the longest lifetime a session may ask for ({@code sessions.maxTtlSeconds}) */
    public static void register(MethodRegistry registry, SessionManager sessions, Ticker ticker, Duration maxTtl) {
        SessionMethods m = new SessionMethods(sessions, ticker, maxTtl);
        registry.register("sessions/create", Access.authenticated(), m::create);
        registry.register("sessions/join", Access.authenticated(), m::join);
        registry.register("sessions/list", Access.authenticated(), m::list);
        registry.register("sessions/close", Access.authenticated(), m::close);
    }

    record Create(
            @JsonProperty("name") String name,
            @JsonProperty("ttl") Long ttl,
            @JsonProperty("join") Boolean join) {}

    private CompletionStage<JsonNode> create(Call call) {
        Create c = call.params(Create.class);
        if (c.ttl() != null && c.ttl() <= 0) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS,
                    "invalid_params",
                    "ttl must be a positive number of seconds, got " + c.ttl());
        }
        if (c.ttl() != null && c.ttl() > maxTtl.toSeconds()) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS,
                    "ttl_too_long",
                    "ttl (" + c.ttl() + " s) exceeds the allowed maximum (" + maxTtl.toSeconds()
                            + " s, sessions.maxTtlSeconds)");
        }
        if (c.name() != null && c.name().length() > TrustLimits.MAX_SESSION_NAME) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS,
                    "name_too_long",
                    "session name length (" + c.name().length() + ") exceeds the allowed maximum ("
                            + TrustLimits.MAX_SESSION_NAME + ")");
        }
        if (c.name() != null && c.name().chars().anyMatch(Character::isISOControl)) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS, "invalid_name", "a session name must not hold control characters");
        }
        Session s = sessions.create(
                call.connection().subject(),
                c.name(),
                Optional.ofNullable(c.ttl()).map(Duration::ofSeconds));
        if (Boolean.TRUE.equals(c.join())) {
            sessions.join(call.connection(), s.id());
        }
        return CompletableFuture.completedFuture(sessions.describe(s, ticker.nanoTime()));
    }

    record Join(@JsonProperty("sessionId") String sessionId) {}

    private CompletionStage<JsonNode> join(Call call) {
        Join j = call.params(Join.class);
        if (j.sessionId() == null) {
            throw HubException.of(ErrorCode.INVALID_PARAMS, "invalid_params", "sessions/join needs \"sessionId\"");
        }
        Session s = sessions.join(call.connection(), j.sessionId());
        return CompletableFuture.completedFuture(sessions.describe(s, ticker.nanoTime()));
    }

    private CompletionStage<JsonNode> list(Call call) {
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode list = out.putArray("sessions");
        long now = ticker.nanoTime();
        sessions.all().stream()
                .filter(s -> SessionManager.mayEnter(call.connection(), s))
                .sorted(Comparator.comparing((Session s) -> !s.isDefault()).thenComparing(Session::name))
                .forEach(s -> list.add(sessions.describe(s, now)));
        out.put("current", SessionManager.sessionOf(call.connection()).id());
        return CompletableFuture.completedFuture(out);
    }

    record Close(@JsonProperty("sessionId") String sessionId) {}

    private CompletionStage<JsonNode> close(Call call) {
        Close c = call.params(Close.class);
        String id = c.sessionId() != null
                ? c.sessionId()
                : SessionManager.sessionOf(call.connection()).id();
        sessions.getFor(call.connection(), id);
        sessions.close(id, "closed");
        return CompletableFuture.completedFuture(
                Json.mapper().createObjectNode().put("closed", id));
    }
}
