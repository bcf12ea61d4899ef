package dev.agentwire.server.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.Outbound;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.Parsed;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The hub connection A2A requests of one identity (and one set of scopes) go out on: it outlives the HTTP
 * connections that carry them, so a task that answered at once goes on after its client hung up. Answers go to
 * the callback of the call that asked; progress to the callback of its token. Thread safe.
 */
final class A2aLink implements Outbound {

    private final AtomicLong ids = new AtomicLong(1);
    private final Map<Id, Consumer<Message>> answers = new ConcurrentHashMap<>();
    private final Map<String, Consumer<JsonNode>> progress = new ConcurrentHashMap<>();
    private Connection connection;

    void attach(Connection c) {
        connection = c;
    }

    boolean isOpen() {
        return connection != null && connection.isOpen();
    }

    /** The id the next call will go out under (so that the caller can record it before the answer can come). */
    Id reserve() {
        return Id.of(ids.getAndIncrement());
    }

    /** Sends {@code method} with {@code params} under {@code id}; the answer goes to {@code answer}. */
    void call(Id id, String method, JsonNode params, Consumer<Message> answer) {
        answers.put(id, answer);
        connection.receive(
                new Parsed.Valid(new Message.Request(id, method, params)),
                params.toString().length());
    }

    /** Sends a notification (a cancellation). */
    void notify(String method, JsonNode params) {
        connection.receive(
                new Parsed.Valid(new Message.Notification(method, params)),
                params.toString().length());
    }

    void onProgress(String token, Consumer<JsonNode> listener) {
        progress.put(token, listener);
    }

    void noProgress(String token) {
        progress.remove(token);
    }

    @Override
    public void send(Message m) {
        if (m instanceof Message.Response r) {
            Consumer<Message> a = answers.remove(r.id());
            if (a != null) {
                a.accept(m);
            }
        } else if (m instanceof Message.ErrorResponse e) {
            Consumer<Message> a = answers.remove(e.id());
            if (a != null) {
                a.accept(m);
            }
        } else if (m instanceof Message.Notification n && n.method().equals("notifications/progress")) {
            JsonNode params = dev.agentwire.protocol.RawJson.tree(n.params());
            Consumer<JsonNode> l = progress.get(params.path("progressToken").asText());
            if (l != null) {
                l.accept(params);
            }
        }
    }

    @Override
    public void sendBatch(List<Message> messages) {
        messages.forEach(this::send);
    }

    @Override
    public void sendAndClose(Message message) {
        send(message);
        close();
    }

    @Override
    public void closeWith(dev.agentwire.protocol.RpcError error) {
        failAll(error);
        if (connection != null) {
            connection.closed();
        }
    }

    @Override
    public void close() {
        closeWith(dev.agentwire.protocol.RpcError.of(
                dev.agentwire.protocol.ErrorCode.PROVIDER_GONE, "the hub closed this A2A link", "link_closed"));
    }

    /** Every call still waiting gets {@code error}: no task waits on a link that is gone. */
    private void failAll(dev.agentwire.protocol.RpcError error) {
        for (Id id : List.copyOf(answers.keySet())) {
            Consumer<Message> a = answers.remove(id);
            if (a != null) {
                a.accept(new Message.ErrorResponse(id, error));
            }
        }
        progress.clear();
    }

    @Override
    public long pendingBytes() {
        return 0;
    }
}
