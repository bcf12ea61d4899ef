package dev.agentwire.server.transport;

import dev.agentwire.core.Connection;
import dev.agentwire.core.EncodedBatch;
import dev.agentwire.core.HubMetrics;
import dev.agentwire.core.Outbound;
import dev.agentwire.netty.OutboundBatch;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Frame;
import dev.agentwire.protocol.FrameType;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.RpcError;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
    /** Set by the one {@link #slowConsumer} call that closes this peer. */
    private final AtomicBoolean judgedSlow = new AtomicBoolean();
    /** Bytes handed to the event loop and not yet in Netty's outbound buffer. */
    private final AtomicLong queued = new AtomicLong();

    private final long slowConsumerGraceNanos;
    private final HubMetrics metrics;
    /** Over this many times the limit a peer is closed at once, grace or not: memory stays bounded. */
    private static final int HARD_LIMIT_FACTOR = 4;

    /** The hard limit is never below this: one burst of a room's batch must not look like a stuck peer. */
    private static final long HARD_LIMIT_FLOOR = 64L << 20;
    /** When the peer went over the limit and stayed there (System.nanoTime), or 0. */
    private final AtomicLong overSince = new AtomicLong();
    /** Whether a flush is queued behind the writes: a burst of messages goes out in one flush. */
    private final AtomicBoolean flushQueued = new AtomicBoolean();
    /** Whether dispatch is paused by us; guarded by {@code this} with the pause/resume it stands for. */
    private boolean pressured;

    private volatile Connection connection;

    ChannelOutbound(
            Channel channel,
            WireFormat format,
            long maxOutboundBytes,
            long slowConsumerGraceNanos,
            HubMetrics metrics) {
        this.channel = channel;
        this.metrics = metrics;
        this.format = format;
        this.maxOutboundBytes = maxOutboundBytes;
        this.slowConsumerGraceNanos = slowConsumerGraceNanos;
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
    public void sendEncoded(Message message, byte[] json) {
        write(new PreEncoded(json), false);
    }

    @Override
    public void sendAll(EncodedBatch batch) {
        if (!batch.messages().isEmpty()) {
            write(new PreEncodedAll(batch), false);
        }
    }

    /** A message whose JSON is already encoded. */
    private record PreEncoded(byte[] json) {}

    /** Messages whose JSON is already encoded, written together. */
    private record PreEncodedAll(EncodedBatch batch) {}

    /** Dropped, not queued, while the peer is over its high-water mark: a slow consumer loses these first. */
    @Override
    public void sendEphemeral(Message message) {
        if (pendingBytes() > highWaterMark) {
            metrics.droppedEphemeral();
            return;
        }
        write(message, false);
    }

    @Override
    public void sendAndClose(Message message) {
        write(message, true);
    }

    /** Closes once everything queued before has been written (an empty write flushes and marks the spot). */
    @Override
    public void close() {
        closing.set(true);
        onLoop(() -> channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE), () -> {});
    }

    @Override
    public long pendingBytes() {
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return queued.get() + (buffer == null ? 0 : buffer.totalPendingWriteBytes());
    }

    /**
     * Runs when a grace may have ended: a peer that has stayed over the limit the whole time is slow; one seen
     * under the limit meanwhile was only behind a burst (a group commit lands on every member at once).
     */
    private void recheck() {
        long since = overSince.get();
        if (since == 0) {
            return;
        }
        if (unwrittenBytes() <= maxOutboundBytes) {
            overSince.set(0);
            return;
        }
        long left = since + slowConsumerGraceNanos - System.nanoTime();
        if (left <= 0) {
            slowConsumer();
        } else {
            channel.eventLoop().schedule(this::recheck, left, TimeUnit.NANOSECONDS);
        }
    }

    /** Over this a peer is closed at once, grace or not, so that memory stays bounded. */
    private long hardLimit() {
        return Math.max(HARD_LIMIT_FACTOR * maxOutboundBytes, HARD_LIMIT_FLOOR);
    }

    /** Bytes in Netty's outbound buffer: written by the hub, not yet taken by the kernel. */
    private long unwrittenBytes() {
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    /** The options {@code aw sockets inspect} shows, as this channel reports them (unsupported ones left out). */
    private static final java.util.List<io.netty.channel.ChannelOption<?>> OPTIONS = java.util.List.of(
            io.netty.channel.ChannelOption.SO_SNDBUF,
            io.netty.channel.ChannelOption.SO_RCVBUF,
            io.netty.channel.ChannelOption.TCP_NODELAY,
            io.netty.channel.ChannelOption.SO_KEEPALIVE,
            io.netty.channel.ChannelOption.SO_LINGER,
            io.netty.channel.ChannelOption.SO_REUSEADDR,
            io.netty.channel.ChannelOption.ALLOW_HALF_CLOSURE,
            io.netty.channel.ChannelOption.AUTO_READ,
            io.netty.channel.ChannelOption.WRITE_BUFFER_WATER_MARK);

    @Override
    public java.util.Map<String, Object> socketOptions() {
        java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
        for (io.netty.channel.ChannelOption<?> option : OPTIONS) {
            try {
                Object value = channel.config().getOption(option);
                if (value != null) {
                    out.put(
                            option.name(),
                            value instanceof io.netty.channel.WriteBufferWaterMark w
                                    ? w.low() + "-" + w.high()
                                    : value);
                }
            } catch (RuntimeException e) {
                // not an option of this kind of channel
            }
        }
        out.put("remoteAddress", String.valueOf(channel.remoteAddress()));
        out.put("localAddress", String.valueOf(channel.localAddress()));
        return out;
    }

    @Override
    public boolean takesFrames() {
        return format.takesFrames();
    }

    @Override
    public void sendFrame(Frame frame) {
        write(frame, false);
    }

    /** Writes a raw typed frame (typed framing only). */
    void sendFrame(Frame frame, boolean thenClose) {
        write(frame, thenClose);
    }

    private void write(Object msg, boolean thenClose) {
        if (closing.get() || !channel.isActive()) {
            return;
        }
        Object encoded;
        if (msg instanceof PreEncoded p) {
            encoded = format.frameJson(p.json(), channel.alloc());
        } else if (msg instanceof PreEncodedAll all) {
            // Framed once per wire format for every member (formats are equal by value: each connection has its
            // own instance); each member queues its own reference.
            encoded = retainedDuplicate(all.batch()
                    .form(
                            format,
                            () -> format.frameAll(all.batch().messages(), channel.alloc()),
                            ChannelOutbound::release));
        } else {
            encoded = format.encode(msg, channel.alloc());
        }
        int size = WireFormat.size(encoded);
        // Slow means the socket does not drain: judged by what Netty could not hand to the kernel, not by a
        // burst that is still queued for the event loop (one group commit fans out many messages at once).
        if (!thenClose && unwrittenBytes() + size > maxOutboundBytes) {
            long now = System.nanoTime();
            if (overSince.compareAndSet(0, now)) {
                // Look again when the grace is over: still over the limit then means slow, not a burst.
                channel.eventLoop().schedule(this::recheck, slowConsumerGraceNanos, TimeUnit.NANOSECONDS);
            }
            boolean hardLimit = unwrittenBytes() + size > hardLimit();
            if (hardLimit || now - overSince.get() > slowConsumerGraceNanos) {
                release(encoded);
                slowConsumer();
                return;
            }
        } else if (!thenClose) {
            overSince.set(0);
        }
        if (thenClose) {
            closing.set(true);
        }
        queued.addAndGet(size);
        metrics.bytesOut(size);
        Connection counted = connection;
        if (counted != null) {
            counted.countOut(
                    size,
                    msg instanceof PreEncodedAll all ? all.batch().messages().size() : 1);
        }
        if (pendingBytes() > highWaterMark) {
            pressure();
        }
        // Always through the event loop's task queue, even on the event loop: a reply written inline must not
        // overtake one a worker queued a moment earlier, so replies leave in the order the requests arrived.
        onLoop(
                () -> {
                    queued.addAndGet(-size);
                    if (thenClose) {
                        channel.writeAndFlush(encoded).addListener(ChannelFutureListener.CLOSE);
                    } else {
                        if (encoded instanceof List<?> parts) {
                            parts.forEach(part -> channel.write(part, channel.voidPromise()));
                        } else {
                            channel.write(encoded, channel.voidPromise());
                        }
                        if (unwrittenBytes() <= maxOutboundBytes) {
                            overSince.set(0); // seen under the limit: whatever backlog there was has drained
                        }
                        // Decided on the event loop, after this write: the flush runs behind every write queued
                        // before it, so a burst of messages goes out in one flush (one syscall).
                        if (flushQueued.compareAndSet(false, true)) {
                            channel.eventLoop().execute(() -> {
                                flushQueued.set(false);
                                channel.flush();
                            });
                        }
                        relieve();
                    }
                },
                () -> release(encoded));
    }

    /**
     * Runs {@code task} on the channel's event loop; when the loop is gone (the hub is stopping, its channels are
     * closed already) runs {@code dropped} instead, so that a worker finishing late neither fails nor leaks.
     */
    private void onLoop(Runnable task, Runnable dropped) {
        try {
            channel.eventLoop().execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            dropped.run();
        }
    }

    /** A new reference to shared bytes (a buffer, a frame, or a {@code List} of them) with its own indexes. */
    private static Object retainedDuplicate(Object encoded) {
        if (encoded instanceof List<?> parts) {
            List<Object> copies = new java.util.ArrayList<>(parts.size());
            parts.forEach(part -> copies.add(retainedDuplicate(part)));
            return copies;
        }
        return encoded instanceof io.netty.buffer.ByteBuf b
                ? b.retainedDuplicate()
                : ((io.netty.buffer.ByteBufHolder) encoded).retainedDuplicate();
    }

    /** Releases an encoded message or a {@code List} of them. */
    private static void release(Object encoded) {
        if (encoded instanceof List<?> parts) {
            parts.forEach(ReferenceCountUtil::release);
        } else {
            ReferenceCountUtil.release(encoded);
        }
    }

    private void slowConsumer() {
        // Once: a write on another thread and the event loop's recheck may both find the peer slow.
        if (closing.get() || !judgedSlow.compareAndSet(false, true)) {
            return;
        }
        log.warn(
                "{}: closing a slow consumer ({} bytes unwritten, limit {})",
                channel,
                unwrittenBytes(),
                maxOutboundBytes);
        var data = Json.mapper().createObjectNode();
        data.put("reason", "slow_consumer");
        data.put("limit", maxOutboundBytes);
        data.put("pending", pendingBytes());
        RpcError error = RpcError.of(
                ErrorCode.OVERLOADED,
                "slow consumer: " + pendingBytes() + " bytes queued for this connection, limit " + maxOutboundBytes,
                data);
        metrics.slowConsumer();
        // The reason goes out if the peer's socket drains soon; the close happens within a second either way.
        channel.eventLoop()
                .schedule(
                        () -> {
                            channel.close();
                        },
                        1,
                        TimeUnit.SECONDS);
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
