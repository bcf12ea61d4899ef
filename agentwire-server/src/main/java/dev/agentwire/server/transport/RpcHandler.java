package dev.agentwire.server.transport;

import dev.agentwire.core.Connection;
import dev.agentwire.core.HubCore;
import dev.agentwire.core.Peer;
import dev.agentwire.netty.StreamFailure;
import dev.agentwire.protocol.Frame;
import dev.agentwire.protocol.Framing;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.RpcError;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries one JSON-RPC connection between its channel and the core: opens the core {@link Connection} when
 * added, parses each JSON frame and hands it over, answers the non-JSON frame types, and reports a broken
 * stream with one error before closing.
 */
final class RpcHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(RpcHandler.class);

    private final HubCore core;
    private final Framing framing;
    private final long maxOutboundBytes;
    private final long slowConsumerGraceNanos;
    private ChannelOutbound outbound;
    private Connection connection;

    RpcHandler(HubCore core, Framing framing, long maxOutboundBytes, long slowConsumerGraceNanos) {
        this.core = core;
        this.framing = framing;
        this.maxOutboundBytes = maxOutboundBytes;
        this.slowConsumerGraceNanos = slowConsumerGraceNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        Peer peer = ctx.channel().attr(Attributes.PEER).get();
        outbound = new ChannelOutbound(
                ctx.channel(), WireFormat.stream(framing), maxOutboundBytes, slowConsumerGraceNanos, core.metrics());
        connection = core.open(peer, outbound);
        outbound.attach(connection);
        ctx.channel().attr(Attributes.CONNECTION).set(connection);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        outbound.relieve();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.closed();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        connection.closed();
    }

    /** The peer half-closed (e.g. {@code echo ... | nc -U}): answer everything it asked, then close. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            connection.whenIdle(outbound::close);
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Frame frame) {
            InboundFrames.route(frame, connection, outbound);
        } else if (msg instanceof StreamFailure failure) {
            fail(failure.error());
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void fail(RpcError error) {
        log.debug("{}: closing: {}", connection, error.message());
        if (framing == Framing.TYPED) {
            outbound.sendFrame(ChannelOutbound.errorFrame(error), true);
        } else {
            outbound.sendAndClose(new Message.ErrorResponse(Id.NULL, error));
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
