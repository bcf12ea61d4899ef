package dev.agentwire.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Message;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests the hub sends to one peer (a tool call to its provider), and the replies that come back. The hub
 * numbers its own requests; a reply with an id it never sent, or a second reply, is dropped and counted.
 * When the connection closes every pending request fails with {@code -32003}. Thread safe.
 */
public final class PeerRequests {

    private static final Logger log = LoggerFactory.getLogger(PeerRequests.class);

    /** A peer's reply: a response or an error response, and the size of the JSON text it came in. */
    public record Reply(Message message, int sizeBytes) {}

    private final Connection connection;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<Reply>> pending = new ConcurrentHashMap<>();
    private final AtomicLong unmatched = new AtomicLong();
    private volatile boolean closed;

    PeerRequests(Connection connection) {
        this.connection = connection;
    }

    /** A request the hub is about to send: its id, and the future of its reply. */
    public record Outgoing(long id, CompletableFuture<Reply> reply) {}

    /** Sends {@code method(params)} to the peer. */
    public Outgoing send(String method, JsonNode params) {
        Outgoing out = reserve();
        send(out, method, params);
        return out;
    }

    /** Takes an id and its future without sending yet (so the caller can put the id in the params). */
    public Outgoing reserve() {
        long id = ids.incrementAndGet();
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        pending.put(id, reply);
        if (closed && pending.remove(id) != null) {
            reply.completeExceptionally(gone());
        }
        return new Outgoing(id, reply);
    }

    /** Sends a reserved request. */
    public void send(Outgoing out, String method, JsonNode params) {
        if (out.reply().isDone()) {
            return;
        }
        connection.outbound().send(new Message.Request(Id.of(out.id()), method, params));
    }

    /** Forgets a request (timed out or cancelled): a late reply to it is then dropped. */
    public void forget(long id) {
        pending.remove(id);
    }

    /** Replies with ids the hub never sent, or sent a second time. */
    public long unmatchedReplies() {
        return unmatched.get();
    }

    /** Completes the request a reply answers. Called on the peer's I/O thread; never blocks. */
    void complete(Message reply, int size) {
        Id id = reply instanceof Message.Response r ? r.id() : ((Message.ErrorResponse) reply).id();
        Optional<CompletableFuture<Reply>> f =
                id instanceof Id.Num n ? Optional.ofNullable(pending.remove(n.value())) : Optional.empty();
        if (f.isEmpty()) {
            unmatched.incrementAndGet();
            log.debug("{}: dropping a reply to id {} that the hub is not waiting for", connection, id);
            return;
        }
        f.get().complete(new Reply(reply, size));
    }

    /** Fails every pending request with {@code -32003} and {@code why}; later requests go out as usual. */
    public void abandonAll(String why) {
        for (Long id : pending.keySet()) {
            CompletableFuture<Reply> f = pending.remove(id);
            if (f != null) {
                f.completeExceptionally(HubException.of(ErrorCode.PROVIDER_GONE, "provider_gone", why));
            }
        }
    }

    void closeAll() {
        closed = true;
        for (Long id : pending.keySet()) {
            CompletableFuture<Reply> f = pending.remove(id);
            if (f != null) {
                f.completeExceptionally(gone());
            }
        }
    }

    private HubException gone() {
        return HubException.of(
                ErrorCode.PROVIDER_GONE, "provider_gone", connection + " disconnected before it answered");
    }
}
