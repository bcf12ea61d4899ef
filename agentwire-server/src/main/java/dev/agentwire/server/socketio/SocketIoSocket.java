package dev.agentwire.server.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubCore;
import dev.agentwire.core.HubException;
import dev.agentwire.core.Outbound;
import dev.agentwire.core.Peer;
import dev.agentwire.core.Transport;
import dev.agentwire.core.auth.TokenService;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.Parsed;
import dev.agentwire.protocol.RawJson;
import dev.agentwire.protocol.RpcError;
import dev.agentwire.protocol.socketio.SocketIoPacket;
import dev.agentwire.server.socketio.RoomEvents.Style;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The main namespace's socket of one Engine.IO session, as a hub connection: authenticated by the token in the
 * CONNECT packet's {@code auth} (or the HTTP request's own secret), its events become room calls
 * ({@link RoomEvents}) on its {@link Connection}, and what the hub sends it (answers, room messages, typing,
 * control, presence) becomes events and acknowledgements. Every room message carries a last argument, the
 * socket's delivery offset, which the client returns on reconnect to recover what it missed (rooms keep offsets:
 * the socket rejoins each room from the last one the client saw).
 *
 * <p>{@link Outbound}: called from any thread; answers never block. The lock guards the recovery marks; packets
 * are queued on the session inside it so that delivery offsets go out in order.
 */
final class SocketIoSocket implements Outbound {

    /** What a call was, and so how its answer reaches the client. */
    enum Kind {
        JOIN {
            @Override
            void answered(SocketIoSocket s, Pending p, JsonNode r) {
                s.joined(p.call(), r, false);
                s.reply(
                        p,
                        Json.mapper()
                                .createObjectNode()
                                .put("success", true)
                                .put("roomId", p.call().room())
                                .put("epoch", r.path("epoch").asLong())
                                .put("offset", r.path("offset").asLong())
                                .put("history", r.path("messages").size())
                                .set("members", r.path("members")),
                        "channel_joined");
            }
        },
        REJOIN {
            @Override
            void answered(SocketIoSocket s, Pending p, JsonNode r) {
                s.joined(p.call(), r, true);
            }
        },
        PUBLISH {
            @Override
            void answered(SocketIoSocket s, Pending p, JsonNode r) {
                ObjectNode stored = Json.mapper().createObjectNode();
                stored.put("id", r.path("id").asText());
                stored.put("roomId", p.call().room());
                stored.put("offset", r.path("offset").asLong());
                stored.put("epoch", r.path("epoch").asLong());
                stored.put("from", s.connection.identity());
                stored.set("text", p.call().params().get("text"));
                if (p.call().params().has("data")) {
                    stored.set("data", p.call().params().get("data"));
                }
                stored.put("ts", r.path("ts").asLong());
                ObjectNode ack = Json.mapper().createObjectNode().put("success", true);
                ack.put("messageId", r.path("id").asText());
                if (p.call().params().has("clientMessageId")) {
                    ack.put(
                            "clientMessageId",
                            p.call().params().get("clientMessageId").asText());
                }
                if (r.path("duplicate").asBoolean()) {
                    ack.put("duplicate", true);
                }
                ack.put("channelId", p.call().room());
                ack.put("status", "stored");
                ack.set("message", stored);
                s.reply(p, ack, p.call().style() == Style.ELIZA ? "messageAck" : "ack");
            }
        },
        TYPING,
        CONTROL,
        LEAVE {
            @Override
            void answered(SocketIoSocket s, Pending p, JsonNode r) {
                synchronized (s) {
                    s.marks.rooms.remove(p.call().room());
                }
                super.answered(s, p, r);
            }
        };

        /** The hub's result for a call of this kind. By default: the ack, if one was asked for. */
        void answered(SocketIoSocket s, Pending p, JsonNode result) {
            s.reply(
                    p,
                    Json.mapper()
                            .createObjectNode()
                            .put("success", true)
                            .put("roomId", p.call().room()),
                    null);
        }
    }

    /** A call on its way: what it was and the client's acknowledgement id. */
    record Pending(RoomEvents.Call call, long ackId) {}

    /** Which rooms the socket is in and how far its deliveries got (what a reconnect recovers from). */
    static final class Marks {
        long seq;
        final Map<String, RoomMark> rooms = new LinkedHashMap<>();
    }

    /** One room: how it was joined, and the recent deliveries as (delivery offset, room offset) pairs. */
    static final class RoomMark {
        /** Deliveries remembered per room; a client further behind is not recovered in that room. */
        static final int KEPT = 1000;

        final Style style;
        final long epoch;
        final long joinOffset;
        final ArrayDeque<long[]> sent = new ArrayDeque<>();
        long forgottenUpTo;

        RoomMark(Style style, long epoch, long joinOffset) {
            this.style = style;
            this.epoch = epoch;
            this.joinOffset = joinOffset;
        }

        void delivered(long seq, long offset) {
            sent.add(new long[] {seq, offset});
            if (sent.size() > KEPT) {
                forgottenUpTo = sent.poll()[0];
            }
        }

        /** The room offset the client had seen when its last delivery was {@code seq}, if it can be known. */
        OptionalLong seenAt(long seq) {
            if (seq < forgottenUpTo) {
                return OptionalLong.empty();
            }
            long offset = forgottenUpTo > 0 ? -1 : joinOffset;
            for (long[] d : sent) {
                if (d[0] <= seq) {
                    offset = d[1];
                }
            }
            return offset < 0 ? OptionalLong.empty() : OptionalLong.of(offset);
        }
    }

    private final EngineSession session;
    private final HubCore core;
    private final AtomicLong nextCall = new AtomicLong(1);
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private Connection connection;
    // Set once by connect(), before the client can join anything.
    private String id;
    private String pid;
    private Marks marks = new Marks();
    private Recoveries.Lost recovered;
    private long recoveredSeq;

    private SocketIoSocket(EngineSession session, HubCore core) {
        this.session = session;
        this.core = core;
    }

    /**
     * The socket for a CONNECT to the main namespace with {@code auth}, or empty after a CONNECT_ERROR: a missing
     * or bad token, or an identity over its connection limit. With the {@code pid} and {@code offset} of a socket
     * of the same identity lost within the window, it is that socket again, and rejoins its rooms on start.
     */
    static Optional<SocketIoSocket> connect(EngineSession session, JsonNode auth) {
        HubCore core = session.server().core();
        JsonNode token = auth == null ? null : auth.get("token");
        TokenService.Grant grant;
        try {
            if (token != null && token.isTextual()) {
                grant = core.tokens().verify(token.asText());
            } else if (session.httpGrant().isPresent()) {
                grant = session.httpGrant().get();
            } else {
                refuse(
                        session,
                        HubException.of(
                                ErrorCode.FORBIDDEN,
                                "unauthenticated",
                                "a token is required: connect with auth {token: \"...\"} (the hub's token or a scoped one)"));
                return Optional.empty();
            }
        } catch (HubException e) {
            refuse(session, e);
            return Optional.empty();
        }
        SocketIoSocket s = new SocketIoSocket(session, core);
        Connection c = core.open(Peer.remote(Transport.SOCKET_IO, session.address()), s);
        s.connection = c;
        try {
            core.authenticate(c, grant);
        } catch (HubException e) {
            c.closed();
            refuse(session, e);
            return Optional.empty();
        }
        Optional<Recoveries.Lost> lost = auth != null && auth.path("pid").isTextual()
                ? session.server().recoveries().take(auth.get("pid").asText(), c.identity())
                : Optional.empty();
        if (lost.isPresent()) {
            String offset = auth.path("offset").asText("");
            s.id = lost.get().socketId();
            s.pid = lost.get().pid();
            s.marks = lost.get().marks();
            s.recovered = lost.get();
            s.recoveredSeq = offset.matches("[0-9]{1,18}") ? Long.parseLong(offset) : 0;
        } else {
            s.id = session.server().newId();
            s.pid = session.server().newId();
        }
        return Optional.of(s);
    }

    private static void refuse(EngineSession session, HubException e) {
        RpcError err = e.toRpcError();
        ObjectNode data =
                Json.mapper().createObjectNode().put("code", err.code()).put("reason", err.reason());
        session.sendPacket(SocketIoPacket.connectError("/", err.message(), data));
    }

    /** Tells the client it is connected; after a recovery, rejoins its rooms from where it stopped. */
    void start() {
        ObjectNode ids = Json.mapper().createObjectNode().put("sid", id);
        if (session.server().recoveries().enabled()) {
            ids.put("pid", pid);
        }
        synchronized (this) {
            session.sendPacket(SocketIoPacket.connect("/", ids));
            session.sendPacket(SocketIoPacket.event(
                    "/",
                    "connection_established",
                    Json.mapper()
                            .createObjectNode()
                            .put("message", "connected to the agentwire hub")
                            .put("socketId", id)
                            .put("identity", connection.identity())
                            .put("recovered", recovered != null)));
        }
        if (recovered != null) {
            for (var e : List.copyOf(marks.rooms.entrySet())) {
                rejoin(e.getKey(), e.getValue());
            }
        }
    }

    private void rejoin(String room, RoomMark mark) {
        ObjectNode p = Json.mapper().createObjectNode().put("room", room);
        p.put("history", 20);
        p.put("echo", mark.style == Style.ELIZA);
        OptionalLong seen = mark.seenAt(recoveredSeq);
        if (seen.isPresent()) {
            p.putObject("since").put("offset", seen.getAsLong()).put("epoch", mark.epoch);
        }
        call(new RoomEvents.Call(Kind.REJOIN, mark.style, room, "rooms/join", p, p), SocketIoPacket.NO_ACK);
    }

    // ---- from the client -----------------------------------------------------------------------------------

    void onEvent(SocketIoPacket p) {
        String name = p.eventName();
        List<JsonNode> args = p.eventArgs();
        JsonNode arg = args.isEmpty() || !args.get(0).isObject() ? Json.mapper().createObjectNode() : args.get(0);
        Style style = name.equals("message") ? Style.ELIZA : Style.NAMED;
        try {
            Optional<RoomEvents.Call> call = RoomEvents.read(name, arg);
            if (call.isEmpty()) {
                fail(
                        style,
                        p.ackId(),
                        null,
                        RpcError.of(
                                ErrorCode.METHOD_NOT_FOUND,
                                "unknown event \"" + name + "\": the hub takes " + RoomEvents.known(),
                                "unknown_event"));
                return;
            }
            call(call.get(), p.ackId());
        } catch (RoomEvents.BadEvent e) {
            fail(style, p.ackId(), null, RpcError.of(ErrorCode.INVALID_PARAMS, e.getMessage(), "invalid_event"));
        }
    }

    void refuseBinary(SocketIoPacket p) {
        fail(
                Style.NAMED,
                p.ackId(),
                null,
                RpcError.of(
                        ErrorCode.INVALID_PARAMS,
                        "binary attachments are not supported here: send JSON (base64 for bytes)",
                        "binary_not_supported"));
    }

    private void call(RoomEvents.Call call, long ackId) {
        long n = nextCall.getAndIncrement();
        pending.put(n, new Pending(call, ackId));
        Message.Request r = new Message.Request(Id.of(n), call.method(), call.params());
        connection.receive(new Parsed.Valid(r), call.params().toString().length());
    }

    // ---- to the client -------------------------------------------------------------------------------------

    @Override
    public void send(Message m) {
        deliver(m, false);
    }

    @Override
    public void sendEphemeral(Message m) {
        deliver(m, true);
    }

    @Override
    public void sendBatch(List<Message> messages) {
        messages.forEach(this::send);
    }

    private void deliver(Message m, boolean ephemeral) {
        if (m instanceof Message.Response r) {
            Pending p = r.id() instanceof Id.Num n ? pending.remove(n.value()) : null;
            if (p != null) {
                p.call().kind().answered(this, p, RawJson.tree(r.result()));
            }
        } else if (m instanceof Message.ErrorResponse e) {
            Pending p = e.id() instanceof Id.Num n ? pending.remove(n.value()) : null;
            if (p != null) {
                fail(p.call().style(), p.ackId(), p.call(), e.error());
            } else if (e.id() instanceof Id.Null) {
                fail(Style.NAMED, SocketIoPacket.NO_ACK, null, e.error());
            }
        } else if (m instanceof Message.Notification n) {
            notified(n, ephemeral);
        }
    }

    private void notified(Message.Notification n, boolean ephemeral) {
        JsonNode params = RawJson.tree(n.params());
        switch (n.method()) {
            case "rooms/message" -> message((ObjectNode) params);
            case "rooms/typing" ->
                emit(
                        "thinking",
                        Json.mapper()
                                .createObjectNode()
                                .put("roomId", params.path("room").asText())
                                .put("state", params.path("state").asText())
                                .put(
                                        "thinking",
                                        "thinking".equals(params.path("state").asText()))
                                .put("from", params.path("from").asText()),
                        true);
            case "rooms/control" ->
                emit(
                        "control",
                        Json.mapper()
                                .createObjectNode()
                                .put("roomId", params.path("room").asText())
                                .put("action", params.path("action").asText())
                                .put("from", params.path("from").asText())
                                .set("data", params.path("data")),
                        true);
            case "rooms/presence" ->
                emit(
                        "presence",
                        Json.mapper()
                                .createObjectNode()
                                .put("roomId", params.path("room").asText())
                                .put("action", params.path("action").asText())
                                .set("member", params.path("member")),
                        true);
            default -> emit(n.method(), params, ephemeral);
        }
    }

    /** A room message: {@code message} or {@code messageBroadcast} by how the room was joined, with its offset. */
    private void message(ObjectNode m) {
        String room = m.path("room").asText();
        synchronized (this) {
            RoomMark mark = marks.rooms.get(room);
            Style style = mark == null ? Style.NAMED : mark.style;
            long seq = ++marks.seq;
            if (mark != null) {
                mark.delivered(seq, m.path("offset").asLong());
            }
            session.sendPacket(SocketIoPacket.event(
                    "/",
                    style == Style.ELIZA ? "messageBroadcast" : "message",
                    shaped(m, style),
                    new TextNode(Long.toString(seq))));
        }
    }

    private static ObjectNode shaped(ObjectNode m, Style style) {
        ObjectNode o = Json.mapper().createObjectNode();
        String room = m.path("room").asText();
        o.set("id", m.path("id"));
        o.put("roomId", room);
        o.set("text", m.path("text"));
        o.set("offset", m.path("offset"));
        o.set("epoch", m.path("epoch"));
        if (style == Style.ELIZA) {
            o.put("messageId", m.path("id").asText());
            o.put("channelId", room);
            o.set("senderId", m.path("from"));
            o.set("senderName", m.path("from"));
            o.set("createdAt", m.path("ts"));
            o.put("source", m.path("data").path("source").asText("agentwire"));
            if (m.has("data")) {
                o.set("metadata", m.get("data"));
            }
        } else {
            o.put("room", room);
            o.set("from", m.path("from"));
            o.set("userId", m.path("from"));
            o.set("ts", m.path("ts"));
            o.set("timestamp", m.path("ts"));
            if (m.has("data")) {
                o.set("data", m.get("data"));
                o.set("metadata", m.get("data"));
            }
        }
        return o;
    }

    /** A join's answer: the room is marked, and the messages it returned are delivered before the live ones. */
    private void joined(RoomEvents.Call call, JsonNode r, boolean again) {
        synchronized (this) {
            if (!again || !marks.rooms.containsKey(call.room())) {
                JsonNode first = r.path("messages").path(0);
                long seenBefore = first.isObject()
                        ? first.path("offset").asLong() - 1
                        : r.path("offset").asLong();
                marks.rooms.put(
                        call.room(), new RoomMark(call.style(), r.path("epoch").asLong(), seenBefore));
            }
            for (JsonNode m : r.path("messages")) {
                if (m.isObject()) {
                    message((ObjectNode) m);
                }
            }
        }
    }

    private void emit(String event, JsonNode arg, boolean ephemeral) {
        session.sendPacket(SocketIoPacket.event("/", event, arg), ephemeral);
    }

    /** The ack if one was asked for; else, for ElizaOS clients and publishes, the event {@code orElse}. */
    private void reply(Pending p, ObjectNode answer, String orElse) {
        if (p.ackId() != SocketIoPacket.NO_ACK) {
            session.sendPacket(SocketIoPacket.ack("/", p.ackId(), answer));
        } else if (orElse != null
                && (p.call().kind() == Kind.PUBLISH || p.call().style() == Style.ELIZA)) {
            emit(orElse, answer, false);
        }
    }

    /** An error: the ack if one was asked for, else {@code messageError} (and {@code ack} for a publish). */
    private void fail(Style style, long ackId, RoomEvents.Call call, RpcError error) {
        ObjectNode body = Json.mapper().createObjectNode().put("success", false);
        body.put("error", error.message());
        body.put("code", error.code());
        body.put("reason", error.reason());
        if (error.data() != null && error.data().has("retryAfterMs")) {
            body.set("retryAfterMs", error.data().get("retryAfterMs"));
        }
        if (call != null) {
            body.put("roomId", call.room());
            body.put("channelId", call.room());
            if (call.params().has("clientMessageId")) {
                body.put("clientMessageId", call.params().get("clientMessageId").asText());
            }
        }
        if (ackId != SocketIoPacket.NO_ACK) {
            session.sendPacket(SocketIoPacket.ack("/", ackId, body));
            return;
        }
        if (call != null && call.kind() == Kind.REJOIN) {
            return;
        }
        if (call != null && call.kind() == Kind.PUBLISH && style == Style.NAMED) {
            emit("ack", body, false);
        }
        emit("messageError", body, false);
    }

    @Override
    public void sendAndClose(Message message) {
        send(message);
        session.close("closed by the hub");
    }

    @Override
    public void closeWith(RpcError error) {
        if (connection == null) {
            return; // refused while opening (the hub is stopping): connect() answers with CONNECT_ERROR
        }
        fail(Style.NAMED, SocketIoPacket.NO_ACK, null, error);
        session.sendPacket(SocketIoPacket.disconnect("/"));
        session.close("closed by the hub: " + error.message());
    }

    @Override
    public void close() {
        session.close("closed by the hub");
    }

    @Override
    public long pendingBytes() {
        return session.pendingBytes();
    }

    /** The session ended ({@code recoverable}) or the client disconnected the namespace. */
    void closed(boolean recoverable) {
        Connection c = connection;
        if (c == null) {
            return;
        }
        c.closed();
        if (recoverable && !marks.rooms.isEmpty()) {
            session.server().recoveries().keep(id, pid, c.identity(), marks);
        }
    }
}
