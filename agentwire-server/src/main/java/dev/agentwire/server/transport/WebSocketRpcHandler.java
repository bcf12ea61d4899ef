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
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
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
        if (connection == null || !(msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            ByteBuf content = ((io.netty.buffer.ByteBufHolder) msg).content();
            byte[] bytes = ByteBufUtil.getBytes(content);
            if (msg instanceof TextWebSocketFrame) {
                connection.receive(MessageCodec.parse(bytes), bytes.length);
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
