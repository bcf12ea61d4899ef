package dev.agentwire.server.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubCore;
import dev.agentwire.core.Outbound;
import dev.agentwire.core.Peer;
import dev.agentwire.core.services.ServiceRelay;
import dev.agentwire.netty.StreamFailure;
import dev.agentwire.protocol.Envelope;
import dev.agentwire.protocol.Frame;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.Parsed;
import dev.agentwire.protocol.RpcError;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection on {@code agents/<name>.sock}, speaking the orchestrator seed's envelope. Whoever connects is
 * an instance of {@code <name>}: it gets {@code {"id","interface","agent","action","data"}} lines and answers
 * {@code {"id","status",...}} (each a complete JSON value, a newline after it optional: {@link
 * dev.agentwire.protocol.JsonValueDecoder} frames them). A peer that sends a request instead is a caller: it stops being an
 * instance, and its request goes to the service like a {@code services/request}, answered with the seed's
 * envelope plus {@code timestamp} and {@code processing_time_ms}. Notifications (events, cancellations) are
 * not forwarded: the envelope has no form for them.
 */
public final class EnvelopeHandler extends ChannelInboundHandlerAdapter implements Outbound {

    private static final Logger log = LoggerFactory.getLogger(EnvelopeHandler.class);

    /** The JSON-RPC code of an error a service answered in the envelope (the seed's codes are strings). */
    public static final int SERVICE_ERROR = -32000;

    private final HubCore core;
    private final String service;
    private final long maxOutboundBytes;
    private final long slowConsumerGraceNanos;
    private final AtomicLong nextAsk = new AtomicLong();
    private final Map<String, Asked> asked = new ConcurrentHashMap<>();
    private ChannelOutbound out;
    private Connection connection;
    private volatile boolean instance = true;

    /** A caller's request in flight: the id it gave and when it came. */
    private record Asked(JsonNode id, long startedNanos) {}

    EnvelopeHandler(HubCore core, String service, long maxOutboundBytes, long slowConsumerGraceNanos) {
        this.core = core;
        this.service = service;
        this.maxOutboundBytes = maxOutboundBytes;
        this.slowConsumerGraceNanos = slowConsumerGraceNanos;
    }

    /** Opens the core connection once the admission before this handler has let the peer in. */
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Peer peer = ctx.channel().attr(Attributes.PEER).get();
        out = new ChannelOutbound(
                ctx.channel(),
                WireFormat.stream(dev.agentwire.protocol.Framing.NDJSON),
                maxOutboundBytes,
                slowConsumerGraceNanos,
                core.metrics());
        connection = core.open(peer, this);
        connection.introduce(service + "@agents/" + service + ".sock", "service");
        out.attach(connection);
        ctx.channel().attr(Attributes.CONNECTION).set(connection);
        core.require(ServiceRelay.class).registry().register(connection, service, "socket", "");
        core.events()
                .publish(
                        "services",
                        "registered",
                        Json.mapper()
                                .createObjectNode()
                                .put("service", service)
                                .put("connectionId", connection.id())
                                .put("transport", "agent-socket"));
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof StreamFailure failure) {
            sendAndClose(new Message.ErrorResponse(Id.NULL, failure.error()));
            return;
        }
        if (!(msg instanceof Frame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        byte[] line = frame.payload();
        Envelope.Inbound in = Envelope.parse(line);
        if (in instanceof Envelope.Answer a) {
            answer(a, line.length);
        } else if (in instanceof Envelope.Request r) {
            ask(r, line.length);
        } else {
            Envelope.Invalid bad = (Envelope.Invalid) in;
            write(Envelope.error(bad.id(), "INVALID_ENVELOPE", bad.message(), null, Instant.now(), -1));
        }
    }

    /** An instance's answer becomes the JSON-RPC reply to the hub's {@code services/handle}. */
    private void answer(Envelope.Answer a, int size) {
        Id id;
        try {
            id = Id.of(Long.parseLong(a.id()));
        } catch (NumberFormatException e) {
            id = Id.of(a.id()); // never one the hub sent: dropped and counted as unmatched
        }
        connection.receive(new Parsed.Valid(reply(id, a)), size);
    }

    /**
     * An instance's answer envelope as the reply to request {@code id}: its data, or its error as {@code -32000}
     * with the seed's code in {@code data.reason} and its details (wherever the instance is: a socket, Redis).
     */
    public static Message reply(Id id, Envelope.Answer a) {
        if (a.success()) {
            return new Message.Response(
                    id, a.data().isMissingNode() ? Json.mapper().nullNode() : a.data());
        }
        ObjectNode data = Json.mapper().createObjectNode();
        data.put("reason", a.errorCode());
        if (a.details() != null && !a.details().isMissingNode()) {
            data.set("details", a.details());
        }
        return new Message.ErrorResponse(id, new RpcError(SERVICE_ERROR, a.errorMessage(), data));
    }

    /** A request line: this peer is a caller; its request goes to the service. */
    private void ask(Envelope.Request r, int size) {
        if (instance) {
            instance = false;
            if (core.require(ServiceRelay.class).registry().unregister(connection, service)) {
                // Whatever the hub already sent it will never be answered by a caller.
                connection
                        .requests()
                        .abandonAll(connection + " sent a request on agents/" + service
                                + ".sock, so it is a caller, not an instance");
            }
        }
        if (!r.agent().isEmpty() && !r.agent().equals(service)) {
            write(Envelope.error(
                    r.id(),
                    "WRONG_AGENT",
                    "this socket serves " + service + "; agent " + r.agent() + " is reached at agents/" + r.agent()
                            + ".sock",
                    null,
                    Instant.now(),
                    -1));
            return;
        }
        String key = "e-" + nextAsk.incrementAndGet();
        asked.put(key, new Asked(r.id(), System.nanoTime()));
        ObjectNode params = Json.mapper().createObjectNode();
        params.put("service", service);
        params.put("action", r.action());
        params.set("data", r.data());
        params.put("interface", r.callerInterface().isEmpty() ? "unix-sockets" : r.callerInterface());
        connection.receive(new Parsed.Valid(new Message.Request(Id.of(key), "services/request", params)), size);
    }

    // --- Outbound: the hub's messages in the envelope's words ----------------------------------------------

    @Override
    public void send(Message message) {
        ObjectNode line = translate(message);
        if (line != null) {
            write(line);
        }
    }

    private ObjectNode translate(Message message) {
        if (message instanceof Message.Request req && req.method().equals("services/handle")) {
            JsonNode p = req.params();
            return Envelope.request(
                    req.id().toString(),
                    p.path("from").path("interface").asText(""),
                    service,
                    p.path("action").asText(),
                    p.path("data"));
        }
        if (message instanceof Message.Response res) {
            Asked a = asked.remove(key(res.id()));
            return a == null ? null : Envelope.success(a.id(), res.result(), Instant.now(), elapsedMs(a));
        }
        if (message instanceof Message.ErrorResponse err) {
            Asked a = asked.remove(key(err.id()));
            return errorEnvelope(
                    a == null ? Json.mapper().nullNode() : a.id(), err.error(), a == null ? -1 : elapsedMs(a));
        }
        return null; // notifications: the envelope has no form for them
    }

    /**
     * A hub error as the seed's error envelope: a service's own error keeps its code and details; the hub's own
     * errors are named by their reason, with the JSON-RPC code in {@code details.rpc_code}.
     */
    public static ObjectNode errorEnvelope(JsonNode id, RpcError e, long processingMs) {
        String code = e.reason().isEmpty() ? "ERROR" : e.reason().toUpperCase(Locale.ROOT);
        JsonNode data = e.data();
        JsonNode details;
        if (e.code() == SERVICE_ERROR && data.has("details")) {
            details = data.get("details"); // the service's own details, as it gave them
        } else {
            ObjectNode d = Json.mapper().createObjectNode();
            d.put("rpc_code", e.code());
            if (data.isObject()) {
                data.properties().forEach(f -> {
                    if (!f.getKey().equals("reason")) {
                        d.set(f.getKey(), f.getValue());
                    }
                });
            }
            details = d;
        }
        return Envelope.error(id, code, e.message(), details, Instant.now(), processingMs);
    }

    /** The text of an id: the string itself, or the number. */
    private static String key(Id id) {
        return id instanceof Id.Str s ? s.value() : id.toString();
    }

    private static long elapsedMs(Asked a) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - a.startedNanos());
    }

    private void write(ObjectNode line) {
        try {
            out.sendEncoded(null, Json.mapper().writeValueAsBytes(line));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void sendBatch(List<Message> messages) {
        messages.forEach(this::send);
    }

    @Override
    public void sendAndClose(Message message) {
        ObjectNode line = translate(message);
        if (line != null) {
            write(line);
        }
        out.close();
    }

    @Override
    public void close() {
        out.close();
    }

    @Override
    public long pendingBytes() {
        return out.pendingBytes();
    }

    // --- channel events ------------------------------------------------------------------------------------

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        out.relieve();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (connection != null) {
            connection.closed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (connection != null) {
            connection.closed();
        }
    }

    /** The peer half-closed ({@code echo ... | nc -N -U}): answer what it asked, then close. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && connection != null) {
            connection.whenIdle(out::close);
        } else if (evt instanceof ChannelInputShutdownEvent) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("{}: {}", connection, cause.toString());
        } else {
            log.warn("{}: unexpected error, closing", connection, cause);
        }
        ctx.close();
    }
}
