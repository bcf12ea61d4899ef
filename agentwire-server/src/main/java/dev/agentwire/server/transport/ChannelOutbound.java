package dev.agentwire.server.transport;

import dev.agentwire.core.Outbound;
import dev.agentwire.netty.MessageEncoder;
import dev.agentwire.netty.OutboundBatch;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Frame;
import dev.agentwire.protocol.FrameType;
import dev.agentwire.protocol.Framing;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.RpcError;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The core's view of a Netty channel: encodes messages in the connection's framing on the calling thread and
 * writes the bytes through the channel. A peer whose queued bytes pass {@code maxOutboundBytes} is a slow
 * consumer: it gets one {@code -32008} error and is closed. Thread safe.
 */
final class ChannelOutbound implements Outbound {

    private static final Logger log = LoggerFactory.getLogger(ChannelOutbound.class);

    private final Channel channel;
    private final Framing framing;
    private final long maxOutboundBytes;
    private final AtomicBoolean closing = new AtomicBoolean();

    ChannelOutbound(Channel channel, Framing framing, long maxOutboundBytes) {
        this.channel = channel;
        this.framing = framing;
        this.maxOutboundBytes = maxOutboundBytes;
    }

    @Override
    public void send(Message message) {
        write(message, false);
    }

    @Override
    public void sendBatch(List<Message> messages) {
        write(new OutboundBatch(messages), false);
    }

    @Override
    public void sendAndClose(Message message) {
        write(message, true);
    }

    @Override
    public void close() {
        closing.set(true);
        channel.close();
    }

    @Override
    public long pendingBytes() {
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    /** Writes a raw typed frame (typed framing only). */
    void sendFrame(Frame frame, boolean thenClose) {
        write(frame, thenClose);
    }

    private void write(Object msg, boolean thenClose) {
        if (closing.get() || !channel.isActive()) {
            return;
        }
        ByteBuf buf = channel.alloc().buffer();
        try {
            MessageEncoder.writeTo(framing, msg, buf);
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
        if (!thenClose && pendingBytes() + buf.readableBytes() > maxOutboundBytes) {
            buf.release();
            slowConsumer();
            return;
        }
        if (thenClose) {
            closing.set(true);
            channel.writeAndFlush(buf).addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.writeAndFlush(buf, channel.voidPromise());
        }
    }

    private void slowConsumer() {
        if (closing.get()) {
            return;
        }
        log.warn("{}: closing a slow consumer ({} bytes queued, limit {})", channel, pendingBytes(), maxOutboundBytes);
        var data = Json.mapper().createObjectNode();
        data.put("reason", "slow_consumer");
        data.put("limit", maxOutboundBytes);
        data.put("pending", pendingBytes());
        RpcError error = RpcError.of(
                ErrorCode.OVERLOADED,
                "slow consumer: " + pendingBytes() + " bytes queued for this connection, limit " + maxOutboundBytes,
                data);
        if (framing == Framing.TYPED) {
            sendFrame(errorFrame(error), true);
        } else {
            write(new Message.ErrorResponse(Id.NULL, error), true);
        }
    }

    /** An Error frame carrying {@code {code, message, data}}. */
    static Frame errorFrame(RpcError error) {
        var json = Json.mapper().createObjectNode();
        json.put("code", error.code());
        json.put("message", error.message());
        if (!error.data().isMissingNode()) {
            json.set("data", error.data());
        }
        try {
            return Frame.of(FrameType.ERROR, Json.mapper().writeValueAsBytes(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
