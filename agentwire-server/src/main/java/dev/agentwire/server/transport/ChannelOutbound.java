package dev.agentwire.server.transport;

import dev.agentwire.core.Connection;
import dev.agentwire.core.Outbound;
import dev.agentwire.netty.OutboundBatch;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Frame;
import dev.agentwire.protocol.FrameType;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.RpcError;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The core's view of a Netty channel: encodes messages in the connection's framing on the calling thread and
 * writes the bytes through the channel's event loop, in order.
 *
 * <p>Back-pressure: while the bytes queued for the peer are over the channel's high-water mark, the core
 * connection's dispatch is paused (and {@link BackpressureHandler} stops reading), so a peer that does not read
 * is slowed, not buffered. A peer whose queue still passes {@code maxOutboundBytes} (pushed notifications) is
 * a slow consumer: it gets one {@code -32008} error and is closed. Thread safe.
 */
final class ChannelOutbound implements Outbound {

    private static final Logger log = LoggerFactory.getLogger(ChannelOutbound.class);

    private final Channel channel;
    private final WireFormat format;
    private final long maxOutboundBytes;
    private final long highWaterMark;
    private final AtomicBoolean closing = new AtomicBoolean();
    /** Bytes handed to the event loop and not yet in Netty's outbound buffer. */
    private final AtomicLong queued = new AtomicLong();
    /** Whether dispatch is paused by us; guarded by {@code this} with the pause/resume it stands for. */
    private boolean pressured;

    private volatile Connection connection;

    ChannelOutbound(Channel channel, WireFormat format, long maxOutboundBytes) {
        this.channel = channel;
        this.format = format;
        this.maxOutboundBytes = maxOutboundBytes;
        this.highWaterMark = channel.config().getWriteBufferHighWaterMark();
    }

    /** The connection to pause while this peer's queue is over the high-water mark. */
    void attach(Connection connection) {
        this.connection = connection;
    }

    /**
     * Resumes the connection's dispatch once the queue is back under the high-water mark. Called on the event
     * loop after writes and when the channel becomes writable again.
     */
    synchronized void relieve() {
        Connection c = connection;
        if (pressured && c != null && channel.isWritable() && queued.get() < highWaterMark) {
            pressured = false;
            c.resumeDispatch();
        }
    }

    /** Pauses the connection's dispatch; the write task queued next calls {@link #relieve}. */
    private synchronized void pressure() {
        Connection c = connection;
        if (!pressured && c != null) {
            pressured = true;
            c.pauseDispatch();
        }
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
        channel.eventLoop().execute(channel::close);
    }

    @Override
    public long pendingBytes() {
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return queued.get() + (buffer == null ? 0 : buffer.totalPendingWriteBytes());
    }

    /** Writes a raw typed frame (typed framing only). */
    void sendFrame(Frame frame, boolean thenClose) {
        write(frame, thenClose);
    }

    private void write(Object msg, boolean thenClose) {
        if (closing.get() || !channel.isActive()) {
            return;
        }
        Object encoded = format.encode(msg, channel.alloc());
        int size = WireFormat.size(encoded);
        if (!thenClose && pendingBytes() + size > maxOutboundBytes) {
            ReferenceCountUtil.release(encoded);
            slowConsumer();
            return;
        }
        if (thenClose) {
            closing.set(true);
        }
        queued.addAndGet(size);
        if (pendingBytes() > highWaterMark) {
            pressure();
        }
        // Always through the event loop's task queue, even on the event loop: a reply written inline must not
        // overtake one a worker queued a moment earlier, so replies leave in the order the requests arrived.
        channel.eventLoop().execute(() -> {
            queued.addAndGet(-size);
            if (thenClose) {
                channel.writeAndFlush(encoded).addListener(ChannelFutureListener.CLOSE);
            } else {
                channel.writeAndFlush(encoded, channel.voidPromise());
                relieve();
            }
        });
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
        if (format.typedErrors()) {
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
