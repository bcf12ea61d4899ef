package dev.agentwire.core.rooms;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.HubException;
import dev.agentwire.core.auth.Scopes;
import dev.agentwire.core.rpc.Access;
import dev.agentwire.core.rpc.Call;
import dev.agentwire.core.rpc.MethodRegistry;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Json;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/** {@code rooms/join|leave|publish|history|typing|control|list|members|broadcast}. */
public final class RoomMethods {

    private static final Set<String> TYPING = Set.of("thinking", "idle");

    private final RoomService rooms;

    private RoomMethods(RoomService rooms) {
        this.rooms = rooms;
    }

    public static void register(MethodRegistry registry, RoomService rooms) {
        RoomMethods m = new RoomMethods(rooms);
        Access read = Access.scopes("rooms:read:<room>", RoomMethods::readScopes);
        Access write = Access.scopes("rooms:write:<room>", call -> List.of("rooms:write:" + room(call)));
        registry.register("rooms/join", read, m::join);
        registry.register("rooms/leave", Access.authenticated(), m::leave);
        registry.register("rooms/publish", write, m::publish);
        registry.register("rooms/history", read, m::history);
        registry.register("rooms/typing", write, m::typing);
        registry.register("rooms/control", write, m::control);
        registry.register("rooms/list", Access.authenticated(), call -> rooms.list(readable(call)));
        registry.register("rooms/members", read, call -> rooms.members(room(call)));
        registry.register("rooms/broadcast", Access.authenticated(), m::broadcast);
    }

    /**
     * What reading {@code room} needs: {@code rooms:read:<room>}; for an inbox ({@link Inboxes}), being its
     * identity and nothing more, and no scope lets anyone else read it.
     */
    private static List<String> readScopes(Call call) {
        String room = room(call);
        Inboxes.checkReader(room, call.connection());
        return Inboxes.owner(room).isPresent() ? List.of() : List.of("rooms:read:" + room);
    }

    /** Which rooms the caller may read: rooms/list shows only those. */
    private static java.util.function.Predicate<String> readable(Call call) {
        java.util.Set<String> scopes = call.connection().scopes();
        String me = call.connection().identity();
        return room -> Inboxes.owner(room).map(me::equals).orElseGet(() -> Scopes.allows(scopes, "rooms:read:" + room));
    }

    /** Whether a scope could grant writing some room ({@code *}, {@code rooms:*}, {@code rooms:write:x}...). */
    private static boolean grantsSomeWrite(String scope) {
        String prefix = "rooms:write:";
        return scope.startsWith(prefix)
                || (scope.endsWith("*") && prefix.startsWith(scope.substring(0, scope.length() - 1)));
    }

    private CompletionStage<JsonNode> broadcast(Call call) {
        if (!call.params().isObject()) {
            throw HubException.of(ErrorCode.INVALID_PARAMS, "invalid_params", "rooms/broadcast takes an object");
        }
        java.util.Set<String> scopes = call.connection().scopes();
        if (scopes.stream().noneMatch(RoomMethods::grantsSomeWrite)) {
            var data = HubException.reasonData("no_writable_room");
            data.put("scope", "rooms:write:<room>");
            throw HubException.withData(
                    ErrorCode.FORBIDDEN,
                    "rooms/broadcast reaches the rooms you may write, and this identity may write none"
                            + " (it needs a rooms:write:<room> scope)",
                    data);
        }
        Publish p = call.params(Publish.class);
        if (p.clientMessageId() != null) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS,
                    "invalid_params",
                    "rooms/broadcast is not stored, so it takes no clientMessageId");
        }
        // The answer names a room only if the sender may read it or names it in a scope: rooms:write:* alone would
        // otherwise learn every active room, and which inboxes are joined (who is online).
        java.util.function.Predicate<String> readable = readable(call);
        return rooms.broadcast(
                call.connection(),
                p.text(),
                p.data(),
                room -> Scopes.allows(scopes, "rooms:write:" + room),
                room -> readable.test(room) || scopes.contains("rooms:write:" + room));
    }

    private static String room(Call call) {
        if (!call.params().isObject()) {
            throw HubException.of(ErrorCode.INVALID_PARAMS, "invalid_params", call.method() + " takes an object");
        }
        return RoomService.checkRoom(call.params().get("room"));
    }

    record Since(
            @JsonProperty("offset") Long offset,
            @JsonProperty("epoch") JsonNode epoch) {}

    record Join(
            @JsonProperty("since") Since since,
            @JsonProperty("history") Integer history,
            @JsonProperty("echo") Boolean echo) {}

    private CompletionStage<JsonNode> join(Call call) {
        String room = room(call);
        Join j = call.params(Join.class);
        Optional<long[]> since = Optional.empty();
        if (j.since() != null) {
            JsonNode epoch = j.since().epoch();
            if (j.since().offset() == null
                    || j.since().offset() < 0
                    || epoch == null
                    || !epoch.isNumber()
                    || !epoch.canConvertToLong()
                    || epoch.doubleValue() < 0
                    || epoch.doubleValue() != Math.rint(epoch.doubleValue())) {
                throw HubException.of(
                        ErrorCode.INVALID_PARAMS,
                        "invalid_since",
                        "since needs {offset >= 0, epoch} with whole numbers, got "
                                + call.params().get("since"));
            }
            since = Optional.of(new long[] {j.since().offset(), epoch.longValue()});
        }
        int history = j.history() == null ? 0 : j.history();
        if (history < 0 || history > 10_000) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS, "invalid_history", "history must be 0-10000, got " + history);
        }
        return rooms.join(call.connection(), room, since, history, Boolean.TRUE.equals(j.echo()));
    }

    private CompletionStage<JsonNode> leave(Call call) {
        return rooms.leave(call.connection(), room(call));
    }

    record Publish(
            @JsonProperty("text") String text,
            @JsonProperty("data") JsonNode data,
            @JsonProperty("clientMessageId") String clientMessageId) {}

    private CompletionStage<JsonNode> publish(Call call) {
        String room = room(call);
        Publish p = call.params(Publish.class);
        if (p.clientMessageId() != null
                && (p.clientMessageId().isEmpty() || p.clientMessageId().length() > 128)) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS, "invalid_params", "clientMessageId must be 1-128 characters");
        }
        return rooms.publish(call.connection(), room, p.text(), p.data(), Optional.ofNullable(p.clientMessageId()));
    }

    record History(
            @JsonProperty("before") Long before,
            @JsonProperty("after") Long after,
            @JsonProperty("limit") Integer limit) {}

    private CompletionStage<JsonNode> history(Call call) {
        String room = room(call);
        History h = call.params(History.class);
        int limit = h.limit() == null ? 100 : h.limit();
        if (limit < 1 || limit > 10_000) {
            throw HubException.of(ErrorCode.INVALID_PARAMS, "invalid_limit", "limit must be 1-10000, got " + limit);
        }
        return rooms.history(room, Optional.ofNullable(h.before()), Optional.ofNullable(h.after()), limit);
    }

    private CompletionStage<JsonNode> typing(Call call) {
        String room = room(call);
        String state = call.params().path("state").asText("");
        if (!TYPING.contains(state)) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS, "invalid_state", "state must be thinking or idle, got " + state);
        }
        return rooms.ephemeral(
                call.connection(),
                room,
                "rooms/typing",
                Json.mapper().createObjectNode().put("state", state));
    }

    private CompletionStage<JsonNode> control(Call call) {
        String room = room(call);
        JsonNode action = call.params().get("action");
        if (action == null || !action.isTextual()) {
            throw HubException.of(ErrorCode.INVALID_PARAMS, "invalid_params", "rooms/control needs a string action");
        }
        ObjectNode p = Json.mapper().createObjectNode().put("action", action.textValue());
        if (call.params().has("data")) {
            p.set("data", call.params().get("data"));
        }
        return rooms.ephemeral(call.connection(), room, "rooms/control", p);
    }
}
