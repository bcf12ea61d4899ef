package dev.agentwire.core.sessions;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.HubException;
import dev.agentwire.core.Ticker;
import dev.agentwire.core.rpc.Call;
import dev.agentwire.core.rpc.MethodRegistry;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Json;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** {@code sessions/create}, {@code sessions/join}, {@code sessions/list}, {@code sessions/close}. */
public final class SessionMethods {

    private final SessionManager sessions;
    private final Ticker ticker;

    private SessionMethods(SessionManager sessions, Ticker ticker) {
        this.sessions = sessions;
        this.ticker = ticker;
    }

    public static void register(MethodRegistry registry, SessionManager sessions, Ticker ticker) {
        SessionMethods m = new SessionMethods(sessions, ticker);
        registry.register("sessions/create", m::create);
        registry.register("sessions/join", m::join);
        registry.register("sessions/list", m::list);
        registry.register("sessions/close", m::close);
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
        Session s = sessions.create(c.name(), Optional.ofNullable(c.ttl()).map(Duration::ofSeconds));
        if (Boolean.TRUE.equals(c.join())) {
            sessions.join(call.connection(), s.id());
        }
        return CompletableFuture.completedFuture(s.describe(ticker.nanoTime()));
    }

    record Join(@JsonProperty("sessionId") String sessionId) {}

    private CompletionStage<JsonNode> join(Call call) {
        Join j = call.params(Join.class);
        if (j.sessionId() == null) {
            throw HubException.of(ErrorCode.INVALID_PARAMS, "invalid_params", "sessions/join needs \"sessionId\"");
        }
        Session s = sessions.join(call.connection(), j.sessionId());
        return CompletableFuture.completedFuture(s.describe(ticker.nanoTime()));
    }

    private CompletionStage<JsonNode> list(Call call) {
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode list = out.putArray("sessions");
        long now = ticker.nanoTime();
        sessions.all().stream()
                .sorted(Comparator.comparing((Session s) -> !s.isDefault()).thenComparing(Session::name))
                .forEach(s -> list.add(s.describe(now)));
        out.put("current", call.connection().session().id());
        return CompletableFuture.completedFuture(out);
    }

    record Close(@JsonProperty("sessionId") String sessionId) {}

    private CompletionStage<JsonNode> close(Call call) {
        Close c = call.params(Close.class);
        String id = c.sessionId() != null
                ? c.sessionId()
                : call.connection().session().id();
        sessions.close(id, "closed");
        return CompletableFuture.completedFuture(
                Json.mapper().createObjectNode().put("closed", id));
    }
}
