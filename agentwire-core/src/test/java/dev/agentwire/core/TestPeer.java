package dev.agentwire.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.MessageCodec;
import dev.agentwire.protocol.RpcError;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One peer of a hub under test, without a socket: a {@link Connection} whose outbound records, and helpers to
 * send it JSON-RPC text and wait (bounded) for what the hub sends back. Thread safe.
 */
public final class TestPeer {

    /** How long a test waits for something the hub sends. */
    public static final Duration WAIT = Duration.ofSeconds(10);

    private final Connection connection;
    private final RecordingOutbound out;
    private final AtomicLong ids = new AtomicLong();

    private TestPeer(Connection connection, RecordingOutbound out) {
        this.connection = connection;
        this.out = out;
    }

    /** A peer on the Unix socket as user {@code uid}: authenticated at once, with every scope. */
    public static TestPeer unix(HubCore core, int uid) {
        RecordingOutbound out = new RecordingOutbound();
        Peer peer = new Peer(
                Transport.UNIX,
                "/tmp/hub.sock",
                OptionalInt.of(uid),
                List.of(uid),
                OptionalLong.of(4242),
                Optional.empty());
        return new TestPeer(core.open(peer, out), out);
    }

    public Connection connection() {
        return connection;
    }

    public RecordingOutbound out() {
        return out;
    }

    /** Sends {@code method} with {@code params} (JSON text, or null for none) as a request; its id. */
    public long send(String method, String params) {
        long id = ids.incrementAndGet();
        receive("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\""
                + (params == null ? "" : ",\"params\":" + params) + "}");
        return id;
    }

    /** Sends {@code method} with {@code params} as a notification. */
    public void notify(String method, String params) {
        receive("{\"jsonrpc\":\"2.0\",\"method\":\"" + method + "\",\"params\":" + params + "}");
    }

    /** Sends a request and waits for its result; fails if the hub answers with an error. */
    public JsonNode call(String method, String params) {
        return result(send(method, params));
    }

    /** The hub's reply to request {@code id}, waiting for it. */
    public Message reply(long id) {
        Id want = Id.of(id);
        waitUntil(() -> find(want).isPresent());
        return find(want).orElseThrow();
    }

    /** Whether the hub replied to request {@code id} yet. */
    public boolean replied(long id) {
        return find(Id.of(id)).isPresent();
    }

    /** The result of request {@code id}, waiting for it; fails naming the error if it was one. */
    public JsonNode result(long id) {
        Message m = reply(id);
        assertThat(m)
                .as("reply to request %d", id)
                .isInstanceOfSatisfying(Message.Response.class, r -> {})
                .withFailMessage("expected a result for request %d, got %s", id, m);
        return ((Message.Response) m).result();
    }

    /** The error the hub answered request {@code id} with, waiting for it; fails if it was a result. */
    public RpcError error(long id) {
        Message m = reply(id);
        assertThat(m)
                .withFailMessage("expected an error for request %d, got %s", id, m)
                .isInstanceOf(Message.ErrorResponse.class);
        return ((Message.ErrorResponse) m).error();
    }

    /** The params of every notification {@code method} the hub sent this peer so far, in order. */
    public List<JsonNode> notifications(String method) {
        return out.sent.stream()
                .filter(m -> m instanceof Message.Notification n && n.method().equals(method))
                .map(m -> ((Message.Notification) m).params())
                .toList();
    }

    /** Waits until the hub sent this peer {@code count} notifications {@code method}; their params. */
    public List<JsonNode> awaitNotifications(String method, int count) {
        waitUntil(() -> notifications(method).size() >= count);
        return notifications(method);
    }

    /** Every request {@code method} the hub sent this peer (a relayed call), in order. */
    public List<Message.Request> requests(String method) {
        return out.sent.stream()
                .filter(m -> m instanceof Message.Request r && r.method().equals(method))
                .map(m -> (Message.Request) m)
                .toList();
    }

    /** Waits for the {@code n}th (from 1) request {@code method} the hub sends this peer. */
    public Message.Request awaitRequest(String method, int n) {
        waitUntil(() -> requests(method).size() >= n);
        return requests(method).get(n - 1);
    }

    /** Answers a request the hub sent with {@code result} (JSON text). */
    public void answer(Message.Request request, String result) {
        receive("{\"jsonrpc\":\"2.0\",\"id\":" + request.id() + ",\"result\":" + result + "}");
    }

    /** The transport closed; returns once the hub has let the connection go (its close hooks ran). */
    public void close() {
        connection.closed();
        connection
                .released()
                .orTimeout(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .join();
    }

    /** Parses JSON text (test data). */
    public static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + text, e);
        }
    }

    /** Waits (at most {@link #WAIT}, polling every millisecond) until {@code condition} holds. */
    public static void waitUntil(java.util.concurrent.Callable<Boolean> condition) {
        await().atMost(WAIT)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1))
                .until(condition);
    }

    private void receive(String json) {
        byte[] bytes = json.getBytes(UTF_8);
        connection.receive(MessageCodec.parse(bytes), bytes.length);
    }

    private Optional<Message> find(Id id) {
        return out.sent.stream()
                .filter(m -> (m instanceof Message.Response r && r.id().equals(id))
                        || (m instanceof Message.ErrorResponse e && e.id().equals(id)))
                .findFirst();
    }
}
