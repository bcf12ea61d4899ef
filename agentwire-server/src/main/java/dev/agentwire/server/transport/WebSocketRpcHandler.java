package dev.agentwire.server.transport;

import dev.agentwire.core.Connection;
import dev.agentwire.core.HubCore;
import dev.agentwire.core.Peer;
import dev.agentwire.core.Transport;
import dev.agentwire.protocol.FramingException;
import dev.agentwire.protocol.MessageCodec;
import dev.agentwire.protocol.TypedFrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;

/**
 * A WebSocket as a JSON-RPC connection: opens the core connection when the handshake completes (HttpGate
 * already checked its token or browser login, and its Host and Origin), hands text messages to the core as JSON-RPC and binary messages as typed
 * frames. Other messages (plain HTTP requests) pass on.
 */
final class WebSocketRpcHandler extends ChannelInboundHandlerAdapter {

    private final HubCore core;
    private final long maxOutboundBytes;
    private final long slowConsumerGraceNanos;
    private final int maxMessageBytes;
    private ChannelOutbound outbound;
    private Connection connection;

    WebSocketRpcHandler(HubCore core, int maxMessageBytes, long maxOutboundBytes, long slowConsumerGraceNanos) {
        this.core = core;
        this.maxMessageBytes = maxMessageBytes;
        this.maxOutboundBytes = maxOutboundBytes;
        this.slowConsumerGraceNanos = slowConsumerGraceNanos;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && connection != null) {
            // The peer stopped sending (a TCP half-close, no close frame): answer what it asked, then close.
            connection.whenIdle(outbound::close);
            return;
        }
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            Peer http = ctx.channel().attr(Attributes.PEER).get();
            Peer peer = Peer.remote(Transport.WEBSOCKET, http.address());
            outbound = new ChannelOutbound(
                    ctx.channel(), WireFormat.webSocket(), maxOutboundBytes, slowConsumerGraceNanos, core.metrics());
            connection = core.open(peer, outbound);
            outbound.attach(connection);
            ctx.channel().attr(Attributes.CONNECTION).set(connection);
            try {
                core.authenticate(
                        connection, ctx.channel().attr(Attributes.GRANT).get());
            } catch (dev.agentwire.core.HubException e) {
                outbound.closeWith(e.toRpcError());
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (connection != null && msg instanceof CloseWebSocketFrame) {
            // Messages read before the close frame are answered first; the close frame goes out after them.
            ReferenceCountUtil.release(msg);
            connection.whenIdle(outbound::close);
            return;
        }
        if (connection == null || !(msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            ByteBuf content = ((io.netty.buffer.ByteBufHolder) msg).content();
            byte[] bytes = ByteBufUtil.getBytes(content);
            if (msg instanceof TextWebSocketFrame) {
                connection.receive(MessageCodec.parseKeepingResults(bytes), bytes.length);
            } else {
                try {
                    new TypedFrameDecoder(maxMessageBytes)
                            .decode(java.nio.ByteBuffer.wrap(bytes), f -> InboundFrames.route(f, connection, outbound));
                } catch (FramingException e) {
                    outbound.sendFrame(ChannelOutbound.errorFrame(e.error()), true);
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * Fragments that add up to more than the limit: closed with 1009 (message too big), as Netty closes on one
     * frame over it, behind the replies already queued.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException && connection != null) {
            CloseWebSocketFrame close = new CloseWebSocketFrame(
                    WebSocketCloseStatus.MESSAGE_TOO_BIG,
                    "message length exceeds the allowed maximum (" + maxMessageBytes + ")");
            ctx.executor().execute(() -> ctx.writeAndFlush(close).addListener(ChannelFutureListener.CLOSE));
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (outbound != null) {
            outbound.relieve();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (connection != null) {
            connection.closed();
        }
        ctx.fireChannelInactive();
    }
}
