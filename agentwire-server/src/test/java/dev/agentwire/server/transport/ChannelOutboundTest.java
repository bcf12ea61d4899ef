package dev.agentwire.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentwire.core.Encoded;
import dev.agentwire.core.EncodedBatch;
import dev.agentwire.core.HubMetrics;
import dev.agentwire.protocol.Framing;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Outbound batching, on a real Netty event loop (in-VM channels): a burst of messages queued together leaves in
 * one flush, a room's batch in one write; and, on {@code EmbeddedChannel}s, a room's batch framed once for all the
 * members on one wire format.
 */
class ChannelOutboundTest {

    private final AtomicInteger flushes = new AtomicInteger();
    private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    private EventLoopGroup group;
    private Channel server;
    private Channel client;

    @BeforeEach
    void connect() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
        LocalAddress address = new LocalAddress(ChannelOutboundTest.class);
        server = new ServerBootstrap()
                .group(group)
                .channel(LocalServerChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        received.add(msg);
                    }
                })
                .bind(address)
                .sync()
                .channel();
        client = new Bootstrap()
                .group(group)
                .channel(LocalChannel.class)
                .handler(new ChannelOutboundHandlerAdapter() {
                    @Override
                    public void flush(ChannelHandlerContext ctx) {
                        flushes.incrementAndGet();
                        ctx.flush();
                    }
                })
                .connect(address)
                .sync()
                .channel();
    }

    @AfterEach
    void close() {
        client.close().syncUninterruptibly();
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        received.forEach(ReferenceCountUtil::release);
    }

    private ChannelOutbound outbound(WireFormat format) {
        return new ChannelOutbound(client, format, 1 << 20, 1_000_000_000L, new HubMetrics());
    }

    private static Message note(int i) {
        return new Message.Notification(
                "rooms/message", Json.mapper().createObjectNode().put("offset", i));
    }

    private static String lines(int n) {
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < n; i++) {
            expected.append("{\"jsonrpc\":\"2.0\",\"method\":\"rooms/message\",\"params\":{\"offset\":")
                    .append(i)
                    .append("}}\n");
        }
        return expected.toString();
    }

    /** What the other end received until {@code text} is complete: the text of each message. */
    private List<String> receive(String text) throws InterruptedException {
        List<String> parts = new ArrayList<>();
        int length = 0;
        while (length < text.length()) {
            Object o = received.poll(10, TimeUnit.SECONDS);
            assertThat(o).as("received within 10 s").isNotNull();
            String part = o instanceof TextWebSocketFrame f
                    ? f.text() + "\n"
                    : ((ByteBuf) o).toString(StandardCharsets.UTF_8);
            ReferenceCountUtil.release(o);
            parts.add(part);
            length += part.length();
        }
        assertThat(String.join("", parts)).isEqualTo(text);
        return parts;
    }

    /** Runs {@code sends} on the channel's event loop, so that every write it queues is queued together. */
    private void together(Runnable sends) throws Exception {
        client.eventLoop().submit(sends).sync();
    }

    @Test
    void aBurstOfSendsLeavesInOneFlushInOrder() throws Exception {
        ChannelOutbound out = outbound(WireFormat.stream(Framing.NDJSON));
        together(() -> {
            for (int i = 0; i < 100; i++) {
                out.send(note(i));
            }
        });
        receive(lines(100));
        assertThat(flushes.get()).as("one flush for the burst").isEqualTo(1);
    }

    @Test
    void aRoomBatchIsOneBufferAndOneFlush() throws Exception {
        ChannelOutbound out = outbound(WireFormat.stream(Framing.NDJSON));
        List<Encoded> batch = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            batch.add(Encoded.of(note(i)));
        }
        EncodedBatch shared = new EncodedBatch(batch);
        out.sendAll(shared);
        shared.release();
        assertThat(receive(lines(100))).as("one buffer").hasSize(1);
        assertThat(flushes.get()).isEqualTo(1);
        assertThat(out.pendingBytes()).isZero();
    }

    @Test
    void aRoomBatchOnAWebSocketIsOneFramePerMessageAndOneFlush() throws Exception {
        ChannelOutbound out = outbound(WireFormat.webSocket());
        List<Encoded> batch = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            batch.add(Encoded.of(note(i)));
        }
        EncodedBatch shared = new EncodedBatch(batch);
        out.sendAll(shared);
        shared.release();
        assertThat(receive(lines(10))).hasSize(10);
        assertThat(flushes.get()).isEqualTo(1);
    }

    /** The wire formats, each obtained the way the hub's handlers obtain it: one call per connection. */
    static Stream<Arguments> formats() {
        return Stream.of(
                format("NDJSON (RpcHandler, EnvelopeHandler)", () -> WireFormat.stream(Framing.NDJSON)),
                format("length-prefixed (RpcHandler)", () -> WireFormat.stream(Framing.LENGTH_PREFIXED)),
                format("typed (RpcHandler, IpcHandler)", () -> WireFormat.stream(Framing.TYPED)),
                format("WebSocket (WebSocketRpcHandler)", WireFormat::webSocket));
    }

    private static Arguments format(String name, Supplier<WireFormat> perConnection) {
        return Arguments.of(Named.of(name, perConnection));
    }

    /**
     * Two members, each with its own channel and its own {@code WireFormat} (as two connections have), share one
     * framing of a room's batch: framing it for both allocates what framing it for one does.
     */
    @ParameterizedTest
    @MethodSource("formats")
    void membersOnTheSameFormatShareOneFramingOfTheBatch(Supplier<WireFormat> perConnection) {
        CountingAllocator alone = new CountingAllocator();
        EmbeddedChannel only = member(alone);
        EncodedBatch first = batch(10);
        new ChannelOutbound(only, perConnection.get(), 1 << 20, 1_000_000_000L, new HubMetrics()).sendAll(first);
        first.release();
        String expected = written(only);
        assertThat(alone.buffers.get())
                .as("buffers framing the batch for one member")
                .isPositive();

        CountingAllocator shared = new CountingAllocator();
        EmbeddedChannel a = member(shared);
        EmbeddedChannel b = member(shared);
        EncodedBatch second = batch(10);
        new ChannelOutbound(a, perConnection.get(), 1 << 20, 1_000_000_000L, new HubMetrics()).sendAll(second);
        new ChannelOutbound(b, perConnection.get(), 1 << 20, 1_000_000_000L, new HubMetrics()).sendAll(second);
        second.release();
        assertThat(written(a)).isEqualTo(expected);
        assertThat(written(b)).isEqualTo(expected);
        assertThat(shared.buffers.get())
                .as(
                        "buffers framing the batch for two members on the same wire format (one member: %d)",
                        alone.buffers.get())
                .isEqualTo(alone.buffers.get());
        assertThat(only.finishAndReleaseAll() | a.finishAndReleaseAll() | b.finishAndReleaseAll())
                .isFalse();
    }

    private static EncodedBatch batch(int n) {
        List<Encoded> messages = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            messages.add(Encoded.of(note(i)));
        }
        return new EncodedBatch(messages);
    }

    /** A member's channel, allocating from {@code alloc}. */
    private static EmbeddedChannel member(ByteBufAllocator alloc) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        return ch;
    }

    /** Runs the channel's queued writes; what it wrote, as hex, each buffer or frame released. */
    private static String written(EmbeddedChannel ch) {
        ch.runPendingTasks();
        StringBuilder out = new StringBuilder();
        for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
            out.append(ByteBufUtil.hexDump(o instanceof ByteBufHolder h ? h.content() : (ByteBuf) o))
                    .append(o instanceof TextWebSocketFrame ? " (text frame)\n" : "\n");
            ReferenceCountUtil.release(o);
        }
        assertThat(out).as("written").isNotEmpty();
        return out.toString();
    }

    /** Counts the buffers allocated through it: what framing costs. */
    private static final class CountingAllocator extends AbstractByteBufAllocator {
        private final AtomicInteger buffers = new AtomicInteger();

        CountingAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            buffers.incrementAndGet();
            return new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            buffers.incrementAndGet();
            return new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }
}
