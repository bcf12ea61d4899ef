package dev.agentwire.client;

import dev.agentwire.netty.StreamFailure;
import dev.agentwire.protocol.Frame;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.MessageCodec;
import dev.agentwire.protocol.Parsed;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Parses what the hub sends and hands each message to the client; reports the channel's end. */
final class ClientHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ClientHandler.class);

    private final Consumer<Message> onMessage;
    private final Runnable onClose;

    ClientHandler(Consumer<Message> onMessage, Runnable onClose) {
        this.onMessage = onMessage;
        this.onClose = onClose;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Frame frame) {
            deliver(MessageCodec.parse(frame.payload()));
        } else if (msg instanceof StreamFailure failure) {
            log.warn("the hub sent an undecodable stream: {}", failure.error().message());
            ctx.close();
        }
    }

    private void deliver(Parsed parsed) {
        if (parsed instanceof Parsed.Valid v) {
            onMessage.accept(v.message());
        } else if (parsed instanceof Parsed.Batch b) {
            b.entries().forEach(this::deliver);
        } else if (parsed instanceof Parsed.Invalid i) {
            log.warn("the hub sent an invalid message: {}", i.error().message());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        onClose.run();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client channel error: {}", cause.toString());
        ctx.close();
    }
}
