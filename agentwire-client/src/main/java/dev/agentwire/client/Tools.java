package dev.agentwire.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.RpcError;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The client's tools: provide tools ({@link #register}, re-registered after every reconnect) and call the
 * session's tools ({@link #call}). Thread safe.
 */
public final class Tools {

    private final AgentwireClient client;
    private final Map<String, Provided> provided = new ConcurrentHashMap<>();
    private final Map<String, Consumer<JsonNode>> progressListeners = new ConcurrentHashMap<>();
    private final AtomicLong tokens = new AtomicLong();

    /** A tool this client provides; {@code ioThread}: its handler runs on the I/O thread. */
    private record Provided(ToolSpec spec, ToolHandler handler, boolean ioThread) {}

    Tools(AgentwireClient client) {
        this.client = client;
        client.onRequest("tools/call", new RequestHandler() {
            @Override
            public CompletableFuture<JsonNode> handle(JsonNode params, RequestContext context) {
                return serve(params, context);
            }

            @Override
            public boolean onIoThread(JsonNode params) {
                Provided p = provided.get(params.path("name").asText());
                return p != null && p.ioThread();
            }
        });
        client.onNotification("notifications/progress", p -> {
            Consumer<JsonNode> l = progressListeners.get(p.path("progressToken").asText());
            if (l != null) {
                l.accept(p);
            }
        });
        client.onReconnect(c -> provided.isEmpty()
                ? CompletableFuture.completedFuture(null)
                : send(List.copyOf(provided.values()), true));
    }

    /** Provides {@code spec} in the client's session; completes with the hub's answer. */
    public CompletableFuture<JsonNode> register(ToolSpec spec, ToolHandler handler) {
        return register(spec, handler, false);
    }

    /** Provides {@code spec}; with {@code replace} it takes the name over from another provider. */
    public CompletableFuture<JsonNode> register(ToolSpec spec, ToolHandler handler, boolean replace) {
        return register(new Provided(spec, handler, false), replace);
    }

    /**
     * Provides {@code spec} with a handler that runs on the connection's I/O thread, not on a handler thread
     * (as with {@code handlerThreads(0)}, for this tool only): one thread hand-off fewer each call. Only for a
     * handler that answers at once and never blocks: while it runs, the connection reads nothing else.
     */
    public CompletableFuture<JsonNode> registerOnIoThread(ToolSpec spec, ToolHandler handler) {
        return register(new Provided(spec, handler, true), false);
    }

    private CompletableFuture<JsonNode> register(Provided p, boolean replace) {
        ToolSpec spec = p.spec();
        provided.put(spec.name(), p);
        return send(List.of(p), replace).whenComplete((r, e) -> {
            if (e != null) {
                provided.remove(spec.name(), p);
            }
        });
    }

    /** Stops providing a tool. */
    public CompletableFuture<JsonNode> unregister(String name) {
        provided.remove(name);
        ObjectNode params = Json.mapper().createObjectNode();
        params.putArray("names").add(name);
        return client.request("tools/unregister", params);
    }

    /** Lists the session's tools (one page; pass the previous {@code nextCursor} or null). */
    public CompletableFuture<JsonNode> list(String cursor) {
        ObjectNode params = Json.mapper().createObjectNode();
        if (cursor != null) {
            params.put("cursor", cursor);
        }
        return client.request("tools/list", params);
    }

    /** Calls a tool; completes with its {@code CallToolResult}. */
    public CompletableFuture<JsonNode> call(String name, JsonNode arguments) {
        return call(name, arguments, Duration.ofSeconds(60), null);
    }

    /**
     * Calls a tool with a timeout (the hub's, and this client's a little later), reporting progress
     * notifications to {@code onProgress} if given.
     */
    public CompletableFuture<JsonNode> call(
            String name, JsonNode arguments, Duration timeout, Consumer<JsonNode> onProgress) {
        ObjectNode params = Json.mapper().createObjectNode();
        params.put("name", name);
        params.set("arguments", arguments == null ? Json.mapper().createObjectNode() : arguments);
        params.put("timeoutMs", timeout.toMillis());
        String token = null;
        if (onProgress != null) {
            token = "p" + tokens.incrementAndGet();
            progressListeners.put(token, onProgress);
            params.putObject("_meta").put("progressToken", token);
        }
        CompletableFuture<JsonNode> answer = client.request("tools/call", params, timeout.plusSeconds(5));
        if (token == null) {
            return answer;
        }
        // Complete only after the progress that arrived before the answer has reached onProgress: the listener
        // runs on the callback thread, so finish there, behind it.
        String registered = token;
        CompletableFuture<JsonNode> ordered = new CompletableFuture<>();
        answer.whenComplete((r, e) -> client.onCallbackThread(() -> {
            progressListeners.remove(registered);
            if (e == null) {
                ordered.complete(r);
            } else {
                ordered.completeExceptionally(e);
            }
        }));
        return ordered;
    }

    private CompletableFuture<JsonNode> send(List<Provided> tools, boolean replace) {
        ObjectNode params = Json.mapper().createObjectNode();
        var array = params.putArray("tools");
        tools.forEach(t -> array.add(t.spec().toJson()));
        if (replace) {
            params.put("replace", true);
        }
        return client.request("tools/register", params);
    }

    private CompletableFuture<JsonNode> serve(JsonNode params, RequestContext context) {
        String name = params.path("name").asText();
        Provided p = provided.get(name);
        if (p == null) {
            return CompletableFuture.failedFuture(new RpcException(RpcError.of(
                    ErrorCode.METHOD_NOT_FOUND, "this client does not provide tool " + name, "unknown_tool")));
        }
        return p.handler().call(params.path("arguments"), context).toCompletableFuture();
    }
}
