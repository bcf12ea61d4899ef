package dev.agentwire.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The client's rooms. A joined room remembers the last offset delivered; after a reconnect it is joined again
 * with {@code since} that offset, so the listener sees no gap and no duplicate. Thread safe.
 */
public final class Rooms {

    private final AgentwireClient client;
    private final Map<String, Joined> joined = new ConcurrentHashMap<>();

    /** A room this client is in; its fields change only on the callback thread. */
    private static final class Joined {
        final RoomListener listener;
        final int history;
        volatile long offset;
        volatile long epoch;

        Joined(RoomListener listener, int history) {
            this.listener = listener;
            this.history = history;
        }
    }

    Rooms(AgentwireClient client) {
        this.client = client;
        client.onNotification("rooms/message", m -> {
            Joined j = joined.get(m.path("room").asText());
            if (j != null) {
                deliver(j, m);
            }
        });
        client.onReconnect(c -> rejoinAll());
    }

    /** Joins {@code room}; the last {@code history} messages and then every new one go to {@code listener}. */
    public CompletableFuture<JsonNode> join(String room, int history, RoomListener listener) {
        Joined j = new Joined(listener, history);
        ObjectNode params = Json.mapper().createObjectNode().put("room", room).put("history", history);
        return client.request("rooms/join", params).thenCompose(r -> {
            joined.put(room, j);
            return onCallbacks(() -> {
                j.epoch = r.path("epoch").asLong();
                j.offset = r.path("messages").isEmpty() ? r.path("offset").asLong() : 0;
                r.path("messages").forEach(m -> deliver(j, m));
                j.offset = Math.max(j.offset, r.path("offset").asLong());
                return r;
            });
        });
    }

    /** Joins without history. */
    public CompletableFuture<JsonNode> join(String room, RoomListener listener) {
        return join(room, 0, listener);
    }

    public CompletableFuture<JsonNode> leave(String room) {
        joined.remove(room);
        return client.request("rooms/leave", Json.mapper().createObjectNode().put("room", room));
    }

    /** Publishes; completes with the ack {@code {id, offset, epoch}} once the message is durable. */
    public CompletableFuture<JsonNode> publish(String room, String text, JsonNode data) {
        return publish(room, text, data, 0);
    }

    /**
     * Publishes, resending up to {@code retries} times (after 100 ms, 200 ms, ...) if the connection is lost
     * before the ack; every attempt carries the same {@code clientMessageId}, so the hub stores it once.
     */
    public CompletableFuture<JsonNode> publish(String room, String text, JsonNode data, int retries) {
        ObjectNode params = Json.mapper().createObjectNode().put("room", room);
        if (text != null) {
            params.put("text", text);
        }
        if (data != null) {
            params.set("data", data);
        }
        params.put("clientMessageId", UUID.randomUUID().toString());
        return attempt(params, retries, 1);
    }

    private CompletableFuture<JsonNode> attempt(ObjectNode params, int retriesLeft, int n) {
        return client.request("rooms/publish", params)
                .handle((r, e) -> {
                    if (e == null) {
                        return CompletableFuture.completedFuture(r);
                    }
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (retriesLeft > 0 && cause instanceof ConnectionLostException) {
                        Duration wait = Duration.ofMillis(100L * n);
                        return CompletableFuture.supplyAsync(
                                        () -> null,
                                        CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS))
                                .thenCompose(x -> attempt(params, retriesLeft - 1, n + 1));
                    }
                    return CompletableFuture.<JsonNode>failedFuture(cause);
                })
                .thenCompose(f -> f);
    }

    /**
     * Joins this client's inbox ({@code @<identity>}, the direct-message room only this identity reads): missed
     * messages come back after a reconnect like any room's.
     */
    public CompletableFuture<JsonNode> joinInbox(int history, RoomListener listener) {
        return join(inbox(), history, listener);
    }

    /** This client's inbox: {@code @} and the identity the hub took it for ({@code hub/hello}'s {@code inbox}). */
    public String inbox() {
        return client.hello().path("inbox").asText();
    }

    /**
     * A direct message to {@code identity}: published (durable) to its inbox {@code @<identity>}; needs
     * {@code rooms:write:@<identity>}.
     */
    public CompletableFuture<JsonNode> sendTo(String identity, String text, JsonNode data) {
        return publish("@" + identity, text, data);
    }

    /**
     * {@code rooms/broadcast}: {@code text} and {@code data} now (not stored) to every connected member of every
     * room this identity may write; completes with {@code {rooms, delivered}}.
     */
    public CompletableFuture<JsonNode> broadcast(String text, JsonNode data) {
        ObjectNode params = Json.mapper().createObjectNode();
        if (text != null) {
            params.put("text", text);
        }
        if (data != null) {
            params.set("data", data);
        }
        return client.request("rooms/broadcast", params);
    }

    /** Hears broadcasts ({@code rooms/broadcast}: {@code from, text, data, ts, rooms}) on the callback thread. */
    public void onBroadcast(java.util.function.Consumer<JsonNode> listener) {
        client.onNotification("rooms/broadcast", listener);
    }

    /** {@code rooms/history}: up to {@code limit} recent messages. */
    public CompletableFuture<JsonNode> history(String room, int limit) {
        return client.request(
                "rooms/history",
                Json.mapper().createObjectNode().put("room", room).put("limit", limit));
    }

    public CompletableFuture<JsonNode> list() {
        return client.request("rooms/list");
    }

    /** The last offset delivered in {@code room} (0 before any). */
    public long offset(String room) {
        Joined j = joined.get(room);
        return j == null ? 0 : j.offset;
    }

    private void deliver(Joined j, JsonNode m) {
        long offset = m.path("offset").asLong();
        if (offset <= j.offset) {
            return; // already delivered (a live message that the rejoin's recovery also carried)
        }
        j.offset = offset;
        j.listener.onMessage(m);
    }

    private CompletableFuture<Void> rejoinAll() {
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (var e : joined.entrySet()) {
            String room = e.getKey();
            Joined j = e.getValue();
            ObjectNode params =
                    Json.mapper().createObjectNode().put("room", room).put("history", j.history);
            params.putObject("since").put("offset", j.offset).put("epoch", j.epoch);
            all.add(client.request("rooms/join", params)
                    .thenCompose(r -> onCallbacks(() -> {
                        if (!r.path("recovered").asBoolean()) {
                            j.offset = 0;
                            j.epoch = r.path("epoch").asLong();
                            j.listener.onGap(r);
                        }
                        r.path("messages").forEach(m -> deliver(j, m));
                        j.offset = Math.max(j.offset, r.path("offset").asLong());
                        return r;
                    })));
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    /** Runs {@code work} on the callback thread, after the notifications already queued there. */
    private <T> CompletableFuture<T> onCallbacks(java.util.function.Supplier<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        client.onCallbackThread(() -> {
            try {
                f.complete(work.get());
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }
}
