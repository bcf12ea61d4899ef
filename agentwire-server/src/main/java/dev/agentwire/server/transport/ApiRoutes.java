package dev.agentwire.server.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP API's routes: each maps a method and a path to one hub call, so that HTTP gets the same checks,
 * scopes, limits and metrics as every other transport. {@code envelope} routes answer in the orchestrator
 * seed's envelope.
 */
final class ApiRoutes {

    /** One route: the call it makes from the path's groups, the query and the JSON body. */
    record Route(
            HttpMethod method,
            Pattern path,
            String call,
            boolean needsBody,
            boolean envelope,
            BiFunction<Matcher, Request, ObjectNode> params) {}

    /** What a route reads: the query and the body (an empty object for GET). */
    record Request(QueryStringDecoder query, JsonNode body) {

        Optional<String> param(String name) {
            List<String> v = query.parameters().get(name);
            return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
        }
    }

    private static final String NAME = "([A-Za-z0-9_.\\-]{1,128})";

    static final List<Route> ROUTES = List.of(
            get("/api/sessions", "sessions/list"),
            get("/api/tools", "tools/list"),
            get("/api/rooms", "rooms/list"),
            get("/api/services", "services/list"),
            get("/api/router", "router/budget"),
            get("/api/cluster", "hub/cluster"),
            new Route(
                    HttpMethod.GET,
                    Pattern.compile(Pattern.quote("/api/calls")),
                    "calls/list",
                    false,
                    false,
                    (m, r) -> {
                        ObjectNode p = Json.mapper().createObjectNode();
                        for (String key : List.of("tool", "service", "caller", "since")) {
                            r.param(key).ifPresent(v -> p.put(key, v));
                        }
                        r.param("limit").ifPresent(v -> p.put("limit", parseLong("limit", v)));
                        r.param("id").ifPresent(v -> p.put("id", parseLong("id", v)));
                        return p;
                    }),
            new Route(
                    HttpMethod.POST,
                    Pattern.compile("/api/services/" + NAME + "/" + NAME),
                    "services/request",
                    false,
                    true,
                    (m, r) -> {
                        ObjectNode p = Json.mapper().createObjectNode();
                        p.put("service", m.group(1));
                        p.put("action", m.group(2));
                        p.set("data", r.body());
                        p.put("interface", "http");
                        r.param("timeoutMs").ifPresent(t -> p.put("timeoutMs", parseLong("timeoutMs", t)));
                        return p;
                    }),
            new Route(
                    HttpMethod.POST,
                    Pattern.compile("/api/tools/" + NAME + "/call"),
                    "tools/call",
                    false,
                    false,
                    (m, r) -> {
                        ObjectNode p = Json.mapper().createObjectNode();
                        p.put("name", m.group(1));
                        p.set("arguments", r.body().isNull() ? Json.mapper().createObjectNode() : r.body());
                        r.param("timeoutMs").ifPresent(t -> p.put("timeoutMs", parseLong("timeoutMs", t)));
                        return p;
                    }),
            post("/api/route-llm", "router/route"),
            post("/api/router/record", "router/record"));

    private ApiRoutes() {}

    private static Route get(String path, String call) {
        return new Route(
                HttpMethod.GET,
                Pattern.compile(Pattern.quote(path)),
                call,
                false,
                false,
                (m, r) -> Json.mapper().createObjectNode());
    }

    /** A POST whose JSON object body is the call's params. */
    private static Route post(String path, String call) {
        return new Route(HttpMethod.POST, Pattern.compile(Pattern.quote(path)), call, true, false, (m, r) -> {
            if (!r.body().isObject()) {
                throw new BadRequest("the body must be a JSON object");
            }
            return (ObjectNode) r.body();
        });
    }

    private static long parseLong(String name, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new BadRequest(name + " must be a whole number, got " + value);
        }
    }

    /** A request the API cannot turn into a call. */
    static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message, null, false, false);
        }
    }
}
