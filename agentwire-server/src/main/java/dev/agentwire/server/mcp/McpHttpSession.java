package dev.agentwire.server.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.Outbound;
import dev.agentwire.core.relay.RelayedCalls;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.MessageCodec;
import dev.agentwire.protocol.Parsed;
import dev.agentwire.protocol.RpcError;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One MCP session over Streamable HTTP: a hub connection of its own (authenticated as the identity that
 * initialized it), and where each message the hub sends it goes. The answer to a POSTed request goes to that
 * request's reply (one JSON body, or its SSE stream, which ends after the answer); progress for a request goes to
 * its stream; anything else (tools list_changed, requests of the hub) goes to the standalone stream a GET opened,
 * when there is one. A request the client cancelled ends its stream without an answer, as MCP asks.
 */
final class McpHttpSession implements Outbound {

    /** Where the answer to one request goes. */
    interface Reply {
        /** The request's answer (or error) as JSON text. */
        void answer(String json);

        /** A message before the answer (progress); only a stream can carry one. */
        default void before(String json) {}

        /** The request was cancelled: end without an answer. */
        void abandon();
    }

    private final String id;
    private final String subject;
    private final java.util.Set<String> scopes;
    private final McpHttpServer server;
    private final Map<Id, Reply> replies = new ConcurrentHashMap<>();
    private final Map<String, Id> progressTokens = new ConcurrentHashMap<>();
    private final Set<Id> cancelled = ConcurrentHashMap.newKeySet();
    private final Map<Id, Consumer<Message>> internal = new ConcurrentHashMap<>();
    private final Map<Integer, SseStream> streams = new ConcurrentHashMap<>();
    private volatile SseStream standalone;
    private volatile long lastActive = System.currentTimeMillis();
    private volatile String protocolVersion = "2025-03-26";
    private Connection connection;
    private int nextStream;
    private volatile boolean closed;

    McpHttpSession(String id, String subject, java.util.Set<String> scopes, McpHttpServer server) {
        this.id = id;
        this.subject = subject;
        this.scopes = java.util.Set.copyOf(scopes);
        this.server = server;
    }

    void attach(Connection c) {
        this.connection = c;
    }

    String id() {
        return id;
    }

    String subject() {
        return subject;
    }

    java.util.Set<String> scopes() {
        return scopes;
    }

    Connection connection() {
        return connection;
    }

    String protocolVersion() {
        return protocolVersion;
    }

    void protocolVersion(String v) {
        protocolVersion = v;
    }

    boolean isClosed() {
        return closed;
    }

    long lastActive() {
        return lastActive;
    }

    boolean hasOpenStreams() {
        return streams.values().stream().anyMatch(SseStream::attached);
    }

    /** A new SSE stream of this session. */
    synchronized SseStream newStream() {
        SseStream s = new SseStream(
                ++nextStream,
                server.settings().replayEvents(),
                server.settings().keepAliveMs());
        streams.put(s.number(), s);
        // Ended streams are kept for a client that resumes one, but not without bound.
        if (streams.size() > MAX_STREAMS) {
            streams.values().stream()
                    .filter(x -> x.finished() && !x.attached())
                    .map(SseStream::number)
                    .sorted()
                    .limit(streams.size() - MAX_STREAMS)
                    .toList()
                    .forEach(streams::remove);
        }
        return s;
    }

    SseStream stream(int number) {
        return streams.get(number);
    }

    /** The standalone stream (GET), or null. */
    SseStream standalone() {
        return standalone;
    }

    void standalone(SseStream s) {
        SseStream old = standalone;
        standalone = s;
        if (old != null && old != s) {
            old.detach();
        }
    }

    /** Streams a session keeps (ended ones go first, oldest first). */
    static final int MAX_STREAMS = 32;

    /** Whether a request with {@code id} is still waiting for its answer. */
    boolean isPending(Id id) {
        return replies.containsKey(id);
    }

    /** A request from the client: its answer goes to {@code reply}. */
    void request(Message.Request r, Reply reply, int sizeBytes) {
        lastActive = System.currentTimeMillis();
        if (replies.putIfAbsent(r.id(), reply) != null) {
            reply.abandon(); // the same id twice at once: the first keeps its answer (the handler refuses this)
            return;
        }
        JsonNode token = r.params() == null ? null : r.params().path("_meta").get("progressToken");
        if (token != null && (token.isTextual() || token.isIntegralNumber())) {
            progressTokens.putIfAbsent(token.asText(), r.id());
        }
        connection.receive(new Parsed.Valid(r), sizeBytes);
    }

    /** A notification or a response from the client. */
    void deliver(Message m, int sizeBytes) {
        lastActive = System.currentTimeMillis();
        if (m instanceof Message.Notification n && n.method().equals("notifications/cancelled")) {
            JsonNode requestId = n.params() == null ? null : n.params().get("requestId");
            Id id = requestId != null && requestId.isTextual()
                    ? Id.of(requestId.asText())
                    : requestId != null && requestId.canConvertToLong() ? Id.of(requestId.asLong()) : null;
            if (id != null && replies.containsKey(id)) {
                cancelled.add(id); // only a request still waiting: the set cannot grow past the pending ones
            }
        }
        connection.receive(new Parsed.Valid(m), sizeBytes);
    }

    /** A request the hub itself makes on this session (joining the session asked for); not the client's. */
    void internal(Message.Request r, Consumer<Message> answer) {
        internal.put(r.id(), answer);
        connection.receive(new Parsed.Valid(r), 0);
    }

    // ---- Outbound: what the hub sends this session --------------------------------------------------------

    @Override
    public void send(Message m) {
        Id answered = m instanceof Message.Response r ? r.id() : m instanceof Message.ErrorResponse e ? e.id() : null;
        if (answered != null) {
            Consumer<Message> own = internal.remove(answered);
            if (own != null) {
                own.accept(m);
                return;
            }
            Reply reply = replies.remove(answered);
            if (reply == null) {
                return;
            }
            progressTokens.values().removeIf(answered::equals);
            if (cancelled.remove(answered)) {
                reply.abandon();
            } else {
                reply.answer(json(m));
            }
            return;
        }
        JsonNode related = relatedRequest(m);
        if (related != null) {
            // A provider's log message or request (sampling, elicitation) during a call: on that call's stream,
            // without the hub's marker.
            Reply reply = replies.get(related.isTextual() ? Id.of(related.asText()) : Id.of(related.asLong()));
            String json = json(withoutMarker(m));
            if (reply != null) {
                reply.before(json);
            } else if (standalone != null) {
                standalone.send(json);
            }
            return;
        }
        if (m instanceof Message.Notification n && n.method().equals("notifications/progress")) {
            JsonNode token = n.params() == null ? null : n.params().get("progressToken");
            Id request = token == null ? null : progressTokens.get(token.asText());
            Reply reply = request == null ? null : replies.get(request);
            if (reply != null) {
                reply.before(json(m));
                return;
            }
        }
        SseStream s = standalone;
        if (s != null) {
            s.send(json(m));
        }
    }

    private static JsonNode relatedRequest(Message m) {
        JsonNode params = m instanceof Message.Notification n && n.method().equals("notifications/message")
                ? n.params()
                : m instanceof Message.Request r ? r.params() : null;
        JsonNode related = params == null ? null : params.path("_meta").get(RelayedCalls.RELATED_REQUEST);
        return related != null && (related.isTextual() || related.canConvertToLong()) ? related : null;
    }

    private static Message withoutMarker(Message m) {
        JsonNode given = m instanceof Message.Notification n ? n.params() : ((Message.Request) m).params();
        ObjectNode params = ((ObjectNode) given).deepCopy();
        ObjectNode meta = (ObjectNode) params.get("_meta");
        meta.remove(RelayedCalls.RELATED_REQUEST);
        if (meta.isEmpty()) {
            params.remove("_meta");
        }
        return m instanceof Message.Notification n
                ? new Message.Notification(n.method(), params)
                : new Message.Request(((Message.Request) m).id(), ((Message.Request) m).method(), params);
    }

    @Override
    public void sendBatch(List<Message> messages) {
        messages.forEach(this::send);
    }

    @Override
    public void sendAndClose(Message message) {
        send(message);
        server.close(this);
    }

    @Override
    public void closeWith(RpcError error) {
        SseStream s = standalone;
        if (s != null) {
            s.send(json(new Message.ErrorResponse(Id.NULL, error)));
        }
        server.close(this);
    }

    @Override
    public void close() {
        server.close(this);
    }

    @Override
    public long pendingBytes() {
        return 0;
    }

    /** Ends the session: every reply and stream ends; the hub connection closes. */
    void closed() {
        closed = true;
        for (Reply r : replies.values()) {
            r.abandon();
        }
        replies.clear();
        for (SseStream s : streams.values()) {
            s.finish();
        }
        if (connection != null) {
            connection.closed();
        }
    }

    private static String json(Message m) {
        return new String(MessageCodec.encode(m), StandardCharsets.UTF_8);
    }
}
