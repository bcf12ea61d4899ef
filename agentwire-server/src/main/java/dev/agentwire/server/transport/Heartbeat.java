package dev.agentwire.server.transport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.core.PeerRequests;
import dev.agentwire.core.Transport;
import dev.agentwire.protocol.ErrorCode;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Liveness of a TCP peer (DESIGN.md §4): after {@code limits.idlePingSeconds} without a received byte it pings
 * the peer (a WebSocket ping frame on a WebSocket, the JSON-RPC request {@code ping} on a stream framing), and
 * after two pings without a byte back it closes the connection with {@code heartbeat_timeout}.
 *
 * <p>Sits in front of the decoders, so any byte counts as life, and only what the peer sends is measured: a
 * peer waiting for a long tool call is pinged and stays as long as it answers. Connections that are not
 * JSON-RPC connections (plain HTTP requests) and peers that have not authenticated yet (they have their own
 * deadline) are not pinged. One per channel; runs on the channel's event loop.
 */
final class Heartbeat extends IdleStateHandler {

    private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

    /** Pings that may go unanswered; the next silent interval closes the connection. */
    static final int MAX_UNANSWERED = 2;

    /** How long the close reason may take to reach a peer that no longer reads before the socket is closed. */
    private static final long CLOSE_GRACE_MS = 1000;

    private final int intervalSeconds;
    private int unanswered;
    private long lastPingId = -1;
    private long lastPending = -1;
    private int lastCurrent;
    private long lastProgress = -1;

    /** @param intervalSeconds seconds of silence before a ping; more than 0 */
    Heartbeat(int intervalSeconds) {
        super(false, intervalSeconds, 0, 0, TimeUnit.SECONDS);
        if (intervalSeconds <= 0) {
            throw new IllegalArgumentException("the ping interval must be positive, got " + intervalSeconds + " s");
        }
        this.intervalSeconds = intervalSeconds;
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
        if (evt.state() != IdleState.READER_IDLE) {
            return;
        }
        if (evt.isFirst() || stoppedReadingButOutputMoves(ctx.channel())) {
            unanswered = 0; // the peer sent something since the last event, or reads what we send
        }
        Connection connection = ctx.channel().attr(Attributes.CONNECTION).get();
        if (connection == null || !connection.isAuthenticated() || !connection.isOpen()) {
            return;
        }
        boolean webSocket = connection.peer().transport() == Transport.WEBSOCKET;
        if (unanswered >= MAX_UNANSWERED) {
            log.debug("{}: no answer to {} pings; closing", connection, unanswered);
            forgetLastPing(connection);
            if (webSocket) {
                closeWebSocket(ctx.channel());
            } else {
                connection.outbound().closeWith(timeout().toRpcError());
            }
            // A peer that stopped reading may never take the reason: close without it after a moment.
            ctx.executor().schedule(() -> ctx.channel().close(), CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
            return;
        }
        unanswered++;
        if (webSocket) {
            // From the tail, through the WebSocket encoder; a control frame may go between two messages.
            ctx.channel()
                    .writeAndFlush(
                            new PingWebSocketFrame(Unpooled.copyInt(unanswered)),
                            ctx.channel().voidPromise());
        } else {
            forgetLastPing(connection);
            PeerRequests.Outgoing ping = connection.requests().send("ping", null);
            lastPingId = ping.id();
        }
    }

    /**
     * While the hub does not read a peer (back-pressure: its replies are queued over the high-water mark) the
     * peer's silence is the hub's doing; it is alive as long as it takes the queued bytes. A peer that takes
     * nothing either is pinged like any other (and the slow-consumer rule may close it first).
     */
    private boolean stoppedReadingButOutputMoves(Channel channel) {
        if (channel.config().isAutoRead()) {
            return false;
        }
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        if (buffer == null) {
            return false;
        }
        long pending = buffer.totalPendingWriteBytes();
        int current = System.identityHashCode(buffer.current());
        long progress = buffer.currentProgress();
        boolean moved = pending != lastPending || current != lastCurrent || progress != lastProgress;
        lastPending = pending;
        lastCurrent = current;
        lastProgress = progress;
        return moved;
    }

    /** Only one ping waits for its reply at a time: an older one is answered or will not be any more. */
    private void forgetLastPing(Connection connection) {
        if (lastPingId >= 0) {
            connection.requests().forget(lastPingId);
            lastPingId = -1;
        }
    }

    private HubException timeout() {
        ObjectNode data = HubException.reasonData("heartbeat_timeout");
        data.put("intervalSeconds", intervalSeconds);
        data.put("unansweredPings", unanswered);
        return HubException.withData(
                ErrorCode.TIMEOUT,
                "nothing received for " + (MAX_UNANSWERED + 1) * intervalSeconds + " s and " + unanswered
                        + " pings unanswered (limits.idlePingSeconds " + intervalSeconds + "); closing",
                data);
    }

    private static void closeWebSocket(Channel channel) {
        channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.POLICY_VIOLATION, "heartbeat_timeout"))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
