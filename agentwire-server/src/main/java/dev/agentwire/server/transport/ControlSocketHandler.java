package dev.agentwire.server.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubCore;
import dev.agentwire.core.Outbound;
import dev.agentwire.core.Peer;
import dev.agentwire.netty.StreamFailure;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Frame;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.Parsed;
import dev.agentwire.protocol.RpcError;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code AGENTWIRE_HOME/control.sock} (VibeTunnel seed): NDJSON messages {@code {id, category, type, action,
 * data, error}}. A client sends {@code type: "request"}s and gets {@code type: "response"}s with the same id;
 * after {@code system:subscribe {categories}} it gets {@code type: "event"}s of those categories (the same
 * events {@code events/subscribe} gives on hub.sock). Requests are hub calls under the table below, so they
 * pass the same checks as on any transport.
 */
final class ControlSocketHandler extends ChannelInboundHandlerAdapter implements Outbound {

    /**
     * {@code category:action} → the hub method that serves it: a request in each category of the seed's table
     * ({@code session-monitor}'s is {@code aw notify}'s).
     */
    private static final Map<String, String> REQUESTS = Map.ofEntries(
            Map.entry("auth:hello", "hub/hello"),
            Map.entry("system:ping", "hub/ping"),
            Map.entry("system:status", "hub/status"),
            Map.entry("system:subscribe", "events/subscribe"),
            Map.entry("system:unsubscribe", "events/unsubscribe"),
            Map.entry("session:spawn", "terminals/spawn"),
            Map.entry("session:kill", "terminals/kill"),
            Map.entry("session:list", "terminals/list"),
            Map.entry("session:read", "terminals/read"),
            Map.entry("session:resize", "terminals/resize"),
            Map.entry("session:title", "terminals/title"),
            Map.entry("session:input", "terminals/input"),
            Map.entry("session-monitor:notify", "terminals/notify"),
            Map.entry("input:text", "terminals/input"),
            Map.entry("input:key", "terminals/key"),
            Map.entry("git:follow", "git/follow"),
            Map.entry("git:unfollow", "git/unfollow"),
            Map.entry("git:list", "git/list"),
            Map.entry("heartbeat:ping", "hub/ping"));

    private final HubCore core;
    private final AtomicLong ids = new AtomicLong();
    private final Map<String, ObjectNode> asked = new ConcurrentHashMap<>();
    private Channel channel;
    private Connection connection;

    ControlSocketHandler(HubCore core) {
        this.core = core;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        Peer peer = ctx.channel().attr(Attributes.PEER).get();
        connection = core.open(peer, this);
        connection.introduce("control.sock", "control");
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof StreamFailure failure) {
            write(error(null, "system", "error", failure.error()));
            ctx.close();
            return;
        }
        if (!(msg instanceof Frame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        JsonNode m;
        try {
            m = Json.mapper().readTree(frame.payload());
        } catch (IOException e) {
            write(error(null, "system", "error", RpcError.of(ErrorCode.PARSE_ERROR, "not JSON", "malformed_json")));
            return;
        }
        if (m == null || !m.isObject() || !"request".equals(m.path("type").asText())) {
            write(error(
                    m,
                    "system",
                    "error",
                    RpcError.of(
                            ErrorCode.INVALID_REQUEST,
                            "expected {\"id\", \"category\", \"type\": \"request\", \"action\", \"data\"}",
                            "invalid_request")));
            return;
        }
        String key = m.path("category").asText() + ":" + m.path("action").asText();
        String method = REQUESTS.get(key);
        if (method == null) {
            write(error(
                    m,
                    m.path("category").asText(),
                    m.path("action").asText(),
                    RpcError.of(
                            ErrorCode.METHOD_NOT_FOUND,
                            "unknown request " + key + "; known: " + new java.util.TreeSet<>(REQUESTS.keySet()),
                            "unknown_request")));
            return;
        }
        String hubId = "c-" + ids.incrementAndGet();
        asked.put(hubId, (ObjectNode) m);
        JsonNode data =
                m.path("data").isObject() ? m.path("data") : Json.mapper().createObjectNode();
        connection.receive(new Parsed.Valid(new Message.Request(Id.of(hubId), method, data)), frame.payload().length);
    }

    // --- Outbound: responses and events in the control socket's words ---------------------------------------

    @Override
    public void send(Message message) {
        if (message instanceof Message.Notification n && n.method().equals("events/event")) {
            JsonNode p = n.params();
            ObjectNode event = Json.mapper().createObjectNode();
            event.put("id", "e-" + ids.incrementAndGet());
            event.put("category", p.path("category").asText());
            event.put("type", "event");
            event.put("action", p.path("action").asText());
            event.set("data", p.path("data"));
            write(event);
        } else if (message instanceof Message.Response r && r.id() instanceof Id.Str s) {
            ObjectNode request = asked.remove(s.value());
            if (request != null) {
                ObjectNode out = reply(request);
                out.set("data", r.result());
                write(out);
            }
        } else if (message instanceof Message.ErrorResponse e && e.id() instanceof Id.Str s) {
            ObjectNode request = asked.remove(s.value());
            if (request != null) {
                write(error(
                        request,
                        request.path("category").asText(),
                        request.path("action").asText(),
                        e.error()));
            }
        }
    }

    private static ObjectNode reply(JsonNode request) {
        ObjectNode out = Json.mapper().createObjectNode();
        out.set("id", request == null ? Json.mapper().nullNode() : request.path("id"));
        out.put(
                "category",
                request == null ? "system" : request.path("category").asText());
        out.put("type", "response");
        out.put("action", request == null ? "error" : request.path("action").asText());
        return out;
    }

    private static ObjectNode error(JsonNode request, String category, String action, RpcError e) {
        ObjectNode out = reply(request);
        out.put("category", category);
        out.put("action", action);
        // The seed's error is a string; the hub's code and data go beside it.
        out.put("error", e.message());
        ObjectNode detail = out.putObject("errorDetail");
        detail.put("code", e.code());
        if (!e.data().isMissingNode()) {
            detail.set("data", e.data());
        }
        return out;
    }

    private void write(ObjectNode m) {
        Channel ch = channel;
        if (ch != null && ch.isActive()) {
            ch.writeAndFlush(Unpooled.wrappedBuffer((m + "\n").getBytes(StandardCharsets.UTF_8)), ch.voidPromise());
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
    public void close() {
        Channel ch = channel;
        if (ch != null) {
            ch.eventLoop().execute(() -> ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> ch.close()));
        }
    }

    @Override
    public long pendingBytes() {
        Channel ch = channel;
        return ch == null ? 0 : ch.bytesBeforeWritable();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (connection != null) {
            connection.closed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && connection != null) {
            connection.whenIdle(this::close);
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }
}
