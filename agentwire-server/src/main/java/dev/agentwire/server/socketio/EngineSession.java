package dev.agentwire.server.socketio;

import dev.agentwire.core.auth.TokenService;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.socketio.EnginePacket;
import dev.agentwire.protocol.socketio.SocketIoPacket;
import dev.agentwire.protocol.socketio.SocketIoProtocolException;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Engine.IO session: its transport (long-polling, then a WebSocket once upgraded, or a WebSocket from the
 * start), the packets queued for the next poll, the hub's pings and the deadline for their pongs, and the
 * Socket.IO socket of the main namespace once it connected.
 *
 * <p>Packets arrive on whichever HTTP connection carries them (a POST, a WebSocket); everything that touches the
 * session's state holds its lock and only queues writes, so nothing here blocks. Timers run on the event loop
 * of the connection that opened the session.
 */
final class EngineSession {

    private static final Logger log = LoggerFactory.getLogger(EngineSession.class);

    /** Packets a poll or a slow WebSocket may leave queued before the session is closed as a slow consumer. */
    static final long MAX_QUEUED_BYTES = 64L * 1024 * 1024;

    /** Bytes queued past which ephemeral packets (typing, control) are dropped instead. */
    static final long EPHEMERAL_DROP_BYTES = 1024L * 1024;

    private final EngineServer server;
    private final String sid;
    private final String address;
    private final Optional<TokenService.Grant> httpGrant;
    private final EventLoop loop;

    private final ArrayDeque<EnginePacket> queue = new ArrayDeque<>();
    private long queuedBytes;
    private EngineHttp.Reply poll;
    private Channel webSocket;
    private Channel probe;
    private boolean closed;
    private boolean pendingCount = true;
    private ScheduledFuture<?> pingTimer;
    private ScheduledFuture<?> pongDeadline;
    private ScheduledFuture<?> connectDeadline;
    private SocketIoSocket socket;
    /** Engine.IO binary packets still to come for a binary Socket.IO packet that was refused. */
    private int attachmentsToSkip;

    EngineSession(
            EngineServer server, String sid, String address, Optional<TokenService.Grant> httpGrant, EventLoop loop) {
        this.server = server;
        this.sid = sid;
        this.address = address;
        this.httpGrant = httpGrant;
        this.loop = loop;
    }

    String sid() {
        return sid;
    }

    String address() {
        return address;
    }

    Optional<TokenService.Grant> httpGrant() {
        return httpGrant;
    }

    EngineServer server() {
        return server;
    }

    /** Arms the pings and the deadline for the first namespace. */
    void start() {
        SocketIoSettings s = server.settings();
        pingTimer = loop.scheduleAtFixedRate(this::ping, s.pingIntervalMs(), s.pingIntervalMs(), TimeUnit.MILLISECONDS);
        connectDeadline = loop.schedule(
                () -> close("no namespace connected within " + s.connectTimeoutMs() + " ms"),
                s.connectTimeoutMs(),
                TimeUnit.MILLISECONDS);
    }

    /** The OPEN packet's data. */
    String handshake(boolean canUpgrade) {
        SocketIoSettings s = server.settings();
        var open = Json.mapper().createObjectNode().put("sid", sid);
        var upgrades = open.putArray("upgrades");
        if (canUpgrade) {
            upgrades.add("websocket");
        }
        open.put("pingInterval", s.pingIntervalMs());
        open.put("pingTimeout", s.pingTimeoutMs());
        open.put("maxPayload", s.maxPayload());
        return open.toString();
    }

    // ---- transports ----------------------------------------------------------------------------------------

    /** Whether the session speaks over long-polling (not upgraded). */
    synchronized boolean polling() {
        return webSocket == null;
    }

    /** A GET poll: answered now if packets wait, else held until some do. */
    synchronized void poll(EngineHttp.Reply reply) {
        if (closed) {
            reply.payload(EnginePacket.of(EnginePacket.Type.CLOSE).encode());
            return;
        }
        if (poll != null) {
            // Two polls at once: the protocol forbids it; both end and so does the session.
            reply.error(EngineHttp.Error.BAD_REQUEST, "a poll is already waiting for this session");
            close("overlapping polls");
            return;
        }
        poll = reply;
        reply.ctx().channel().closeFuture().addListener(f -> pollGone(reply));
        if (!queue.isEmpty()) {
            flushPoll();
        } else if (probe != null) {
            answerPoll(List.of(EnginePacket.of(EnginePacket.Type.NOOP)));
        }
    }

    /** The connection of a waiting poll closed: the next poll may come on another. */
    private synchronized void pollGone(EngineHttp.Reply reply) {
        if (poll == reply) {
            poll = null;
        }
    }

    /** A WebSocket that the client opened with this session's id: the upgrade's probe. */
    synchronized boolean probe(Channel ws) {
        if (closed || webSocket != null || probe != null) {
            return false;
        }
        probe = ws;
        return true;
    }

    /** The session's first transport is this WebSocket (no polling, no upgrade). */
    synchronized void useWebSocket(Channel ws) {
        webSocket = ws;
    }

    /** The WebSocket carrying or probing this session closed. */
    void webSocketClosed(Channel ws) {
        boolean end;
        synchronized (this) {
            if (ws == probe) {
                probe = null;
                return;
            }
            end = ws == webSocket;
        }
        if (end) {
            close("transport close");
        }
    }

    /** Packets from a POST body or a WebSocket message. */
    void received(List<EnginePacket> packets, Channel from) {
        for (EnginePacket p : packets) {
            if (!receive(p, from)) {
                return;
            }
        }
    }

    private boolean receive(EnginePacket p, Channel from) {
        switch (p.type()) {
            case PONG -> pong();
            case PING -> {
                if (from != null && p.text().equals("probe")) {
                    synchronized (this) {
                        if (from != probe) {
                            return true;
                        }
                        from.writeAndFlush(new TextWebSocketFrame(
                                EnginePacket.of(EnginePacket.Type.PONG, "probe").encode()));
                        if (poll != null && queue.isEmpty()) {
                            answerPoll(List.of(EnginePacket.of(EnginePacket.Type.NOOP)));
                        }
                    }
                }
            }
            case UPGRADE -> upgraded(from);
            case MESSAGE -> {
                if (p.isBinary()) {
                    binary();
                } else {
                    message(p.text());
                }
            }
            case CLOSE -> {
                close("client close");
                return false;
            }
            case NOOP -> {}
            case OPEN -> {
                protocolError("a client may not send an OPEN packet");
                return false;
            }
        }
        return !isClosed();
    }

    private synchronized void upgraded(Channel from) {
        if (from == null || from != probe) {
            return;
        }
        webSocket = probe;
        probe = null;
        if (poll != null) {
            answerPoll(List.of(EnginePacket.of(EnginePacket.Type.NOOP)));
        }
        while (!queue.isEmpty()) {
            EnginePacket p = queue.poll();
            webSocket.write(new TextWebSocketFrame(p.encode()));
        }
        queuedBytes = 0;
        webSocket.flush();
    }

    /** Sends one packet on the session's transport (or queues it for the next poll). */
    void send(EnginePacket p) {
        send(p, false);
    }

    /** Sends {@code p} unless the client is behind and it is {@code ephemeral}; closes a slow consumer. */
    void send(EnginePacket p, boolean ephemeral) {
        boolean tooSlow = false;
        synchronized (this) {
            if (closed) {
                return;
            }
            long behind = pendingBytes();
            if (ephemeral && behind > EPHEMERAL_DROP_BYTES) {
                return;
            }
            if (behind > MAX_QUEUED_BYTES) {
                tooSlow = true;
            } else if (webSocket != null) {
                webSocket.writeAndFlush(new TextWebSocketFrame(p.encode()));
            } else {
                queue.add(p);
                queuedBytes += p.sizeBytes();
                flushPoll();
            }
        }
        if (tooSlow) {
            close("slow consumer: more than " + MAX_QUEUED_BYTES + " bytes waiting");
        }
    }

    /** Bytes queued for this client and not yet written. */
    synchronized long pendingBytes() {
        if (webSocket != null) {
            ChannelOutboundBuffer b = webSocket.unsafe().outboundBuffer();
            return b == null ? 0 : b.totalPendingWriteBytes();
        }
        return queuedBytes;
    }

    private void flushPoll() {
        if (poll == null || queue.isEmpty()) {
            return;
        }
        List<EnginePacket> out = new ArrayList<>(queue);
        queue.clear();
        queuedBytes = 0;
        answerPoll(out);
    }

    private void answerPoll(List<EnginePacket> packets) {
        EngineHttp.Reply r = poll;
        poll = null;
        r.payload(EnginePacket.encodePayload(packets));
    }

    // ---- heartbeat -----------------------------------------------------------------------------------------

    private void ping() {
        synchronized (this) {
            if (closed || pongDeadline != null) {
                return;
            }
            pongDeadline = loop.schedule(
                    () -> close("ping timeout"), server.settings().pingTimeoutMs(), TimeUnit.MILLISECONDS);
        }
        send(EnginePacket.of(EnginePacket.Type.PING));
    }

    private synchronized void pong() {
        if (pongDeadline != null) {
            pongDeadline.cancel(false);
            pongDeadline = null;
        }
    }

    // ---- Socket.IO -----------------------------------------------------------------------------------------

    private void message(String text) {
        SocketIoPacket p;
        try {
            p = SocketIoPacket.decode(text);
        } catch (SocketIoProtocolException e) {
            protocolError(e.getMessage());
            return;
        }
        SocketIoSocket s;
        synchronized (this) {
            s = socket;
        }
        switch (p.type()) {
            case CONNECT -> connect(p);
            case EVENT -> {
                if (s != null && p.namespace().equals("/")) {
                    s.onEvent(p);
                } // a packet for a namespace that is not connected is ignored, as Socket.IO servers do
            }
            case BINARY_EVENT, BINARY_ACK -> {
                synchronized (this) {
                    attachmentsToSkip += p.attachments();
                }
                if (s != null && p.namespace().equals("/")) {
                    s.refuseBinary(p);
                }
            }
            case ACK -> {} // the hub asks no acknowledgements of clients
            case DISCONNECT -> {
                if (s != null && p.namespace().equals("/")) {
                    synchronized (this) {
                        socket = null;
                    }
                    s.closed(false);
                }
            }
            case CONNECT_ERROR -> protocolError("a client may not send CONNECT_ERROR");
        }
    }

    private void binary() {
        synchronized (this) {
            if (attachmentsToSkip > 0) {
                attachmentsToSkip--;
                return;
            }
        }
        protocolError("a binary packet that belongs to no Socket.IO packet");
    }

    private void connect(SocketIoPacket p) {
        if (!p.namespace().equals("/")) {
            sendPacket(SocketIoPacket.connectError(p.namespace(), "Invalid namespace", null));
            return;
        }
        synchronized (this) {
            if (socket != null || closed) {
                return; // already connected: a second CONNECT changes nothing
            }
        }
        Optional<SocketIoSocket> s = SocketIoSocket.connect(this, p.data());
        if (s.isEmpty()) {
            return; // refused: the socket sent CONNECT_ERROR
        }
        boolean first;
        synchronized (this) {
            if (closed) {
                s.get().closed(true);
                return;
            }
            socket = s.get();
            first = pendingCount;
            pendingCount = false;
            if (connectDeadline != null) {
                connectDeadline.cancel(false);
                connectDeadline = null;
            }
        }
        if (first) {
            server.connected(this);
        }
        s.get().start();
    }

    void sendPacket(SocketIoPacket p) {
        send(EnginePacket.of(EnginePacket.Type.MESSAGE, p.encode()));
    }

    void sendPacket(SocketIoPacket p, boolean ephemeral) {
        send(EnginePacket.of(EnginePacket.Type.MESSAGE, p.encode()), ephemeral);
    }

    /** Text that breaks the protocol: the session ends, as a Socket.IO server ends it ("parse error"). */
    void protocolError(String why) {
        log.debug("socket.io session {} from {}: {}", sid, address, why);
        close("parse error: " + why);
    }

    // ---- closing -------------------------------------------------------------------------------------------

    synchronized boolean isClosed() {
        return closed;
    }

    /** Ends the session: a waiting poll gets CLOSE, the WebSocket a CLOSE packet and a close; the socket goes. */
    void close(String reason) {
        SocketIoSocket s;
        boolean wasPending;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            wasPending = pendingCount;
            for (ScheduledFuture<?> t : new ScheduledFuture<?>[] {pingTimer, pongDeadline, connectDeadline}) {
                if (t != null) {
                    t.cancel(false);
                }
            }
            if (poll != null) {
                queue.clear();
                answerPoll(List.of(EnginePacket.of(EnginePacket.Type.CLOSE)));
            }
            for (Channel ws : new Channel[] {webSocket, probe}) {
                if (ws != null && ws.isActive()) {
                    ws.writeAndFlush(new TextWebSocketFrame(
                                    EnginePacket.of(EnginePacket.Type.CLOSE).encode()))
                            .addListener(ChannelFutureListener.CLOSE);
                }
            }
            s = socket;
            socket = null;
        }
        log.debug("socket.io session {} from {} closed: {}", sid, address, reason);
        server.removed(this, wasPending);
        if (s != null) {
            // Anything but the client's own DISCONNECT may be recovered within the window.
            s.closed(true);
        }
    }
}
