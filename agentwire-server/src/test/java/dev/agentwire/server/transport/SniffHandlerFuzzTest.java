package dev.agentwire.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.Peer;
import dev.agentwire.core.Transport;
import dev.agentwire.netty.StreamFailure;
import dev.agentwire.netty.StreamFrameDecoder;
import dev.agentwire.netty.fuzz.TrackingAllocator;
import dev.agentwire.protocol.Frame;
import dev.agentwire.protocol.Framing;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.fuzz.Chunking;
import dev.agentwire.protocol.fuzz.Failures;
import dev.agentwire.protocol.fuzz.FuzzBudget;
import dev.agentwire.protocol.fuzz.Gen;
import dev.agentwire.protocol.fuzz.Input;
import dev.agentwire.protocol.fuzz.Mutation;
import dev.agentwire.protocol.fuzz.Reference;
import dev.agentwire.protocol.fuzz.Streams;
import dev.agentwire.server.testing.JqwikLeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * The first-byte {@link SniffHandler} on an {@link EmbeddedChannel}, in the TCP and the Unix-socket pipeline
 * (with what {@code HubChannelInitializer} installs after it, up to where the core takes over): any first
 * byte, followed by a mutated stream or HTTP head, in random reads. {@code docs/PROTOCOL.md} section 2: a byte
 * that names no framing gets one NDJSON {@code -32700 unknown_framing} line and a close, and nothing else; a
 * framing byte installs that framing and every byte read so far reaches its decoder; HTTP bytes go to the HTTP
 * codec on the TCP port only; a refused Unix peer's bytes are dropped. No exception reaches the end of the
 * pipeline and every buffer is released after each input.
 */
@AddLifecycleHook(JqwikLeakCheck.class)
@AddLifecycleHook(FuzzBudget.class)
class SniffHandlerFuzzTest {

    private static final int MAX = 4096;
    private static final TrackingAllocator ALLOC = new TrackingAllocator();

    private static final List<String> HTTP_HEADS = List.of(
            "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "POST /api/route-llm HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}",
            "HEAD / HTTP/1.0\r\n\r\n",
            "DELETE /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n",
            "OPTIONS * HTTP/1.1\r\n\r\n",
            "PUT /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n");

    @Property(tries = 6_000, shrinking = ShrinkingMode.OFF)
    void everyFirstByteGetsItsFramingOrOneErrorAndAClose(@ForAll long seed) {
        Gen g = new Gen(seed);
        boolean tcp = g.chance(50);
        byte[] body = switch (g.weighted(6, 2, 1)) {
            case 0 -> Streams.any(g).input().bytes();
            case 1 -> Mutation.havoc(g, g.pick(HTTP_HEADS).getBytes(StandardCharsets.US_ASCII), 3, List.of(), MAX);
            default -> g.bytes(64);
        };
        if (body.length == 0 || g.chance(40)) {
            byte[] withFirst = new byte[body.length + 1];
            withFirst[0] = (byte) g.between(0, 255);
            System.arraycopy(body, 0, withFirst, 1, body.length);
            body = withFirst;
        }
        boolean admitted = tcp || g.chance(95);
        Chunking chunking = Chunking.random(g);
        Failures.check(new Input(body), input -> check(input, tcp, admitted, chunking));
    }

    /** What the handlers after the sniffer received. */
    private static final class Collector extends ChannelInboundHandlerAdapter {
        final List<Reference.Unit> units = new ArrayList<>();
        final List<StreamFailure> failures = new ArrayList<>();
        final List<Throwable> exceptions = new ArrayList<>();
        int httpMessages;

        /** The hub's own HTTP handlers come next in the real pipeline; the hub fuzz test checks them. */
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            exceptions.add(cause);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Frame f) {
                units.add(new Reference.Unit(f.type(), new Input(f.payload())));
            } else if (msg instanceof StreamFailure failure) {
                failures.add(failure);
            } else {
                httpMessages++;
                ReferenceCountUtil.release(msg);
            }
        }
    }

    static void check(Input input, boolean tcp, boolean admitted, Chunking chunking) {
        ALLOC.reset();
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(ALLOC);
        if (admitted) { // what TcpAdmission or UnixAdmission record for an admitted peer
            ch.attr(Attributes.PEER).set(Peer.remote(tcp ? Transport.TCP : Transport.UNIX, "fuzz"));
        }
        Collector collector = new Collector();
        ch.pipeline().addLast("sniff", new SniffHandler(tcp, SniffHandlerFuzzTest::install));
        ch.pipeline().addLast("collector", collector);
        ch.pipeline().addLast("half-close", new HalfCloseHandler());
        for (byte[] chunk : chunking.split(input.bytes(), 64)) {
            if (!ch.isOpen()) {
                break;
            }
            ch.writeInbound(ALLOC.heapBuffer(chunk.length).writeBytes(chunk)); // rethrows escaped exceptions
        }
        List<ByteBuf> written = new ArrayList<>();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            written.add((ByteBuf) o);
        }
        boolean open = ch.isOpen();
        ch.finishAndReleaseAll();
        try {
            expect(input, tcp, admitted, collector, written, open);
        } finally {
            written.forEach(ByteBuf::release);
        }
        assertThat(ALLOC.unreleased()).as("buffers not released").isZero();
    }

    private static void expect(
            Input input, boolean tcp, boolean admitted, Collector got, List<ByteBuf> written, boolean open) {
        if (!admitted || input.length() == 0) {
            assertThat(got.exceptions).as("exceptions").isEmpty();
            assertThat(written).isEmpty();
            assertThat(got.units).isEmpty();
            assertThat(got.httpMessages).isZero();
            return;
        }
        int first = input.bytes()[0] & 0xFF;
        var framing = Framing.sniff(first, tcp);
        if (framing.isEmpty()) {
            assertThat(written).as("one error line").hasSize(1);
            String line = written.get(0).toString(StandardCharsets.UTF_8);
            assertThat(line).endsWith("\n");
            JsonNode error = parse(line);
            assertThat(error.path("id").isNull()).isTrue();
            assertThat(error.path("error").path("code").asInt()).isEqualTo(-32700);
            assertThat(error.path("error").path("data").path("reason").asText()).isEqualTo("unknown_framing");
            assertThat(error.path("error").path("message").asText())
                    .startsWith("first byte ")
                    .contains(String.format("0x%02X", first));
            assertThat(open).as("closed after the error").isFalse();
            assertThat(got.exceptions).as("exceptions").isEmpty();
            assertThat(got.units).isEmpty();
            assertThat(got.httpMessages).isZero();
            return;
        }
        if (framing.get() != Framing.HTTP) {
            assertThat(got.exceptions).as("exceptions").isEmpty();
        }
        if (framing.get() == Framing.HTTP) {
            assertThat(tcp).isTrue();
            assertThat(got.units).isEmpty();
            return; // Netty's aggregator may answer itself (100 Continue, 413)
        }
        assertThat(written).as("nothing written before the core answers").isEmpty();
        Reference.Outcome expected = Reference.decode(framing.get(), MAX, input.bytes());
        assertThat(got.units).isEqualTo(expected.units());
        assertThat(got.failures).hasSize(expected.tooLarge() ? 1 : 0);
        assertThat(got.httpMessages).isZero();
    }

    /** What {@code HubChannelInitializer} installs after the sniffer, up to where the core takes over. */
    private static void install(ChannelHandlerContext ctx, Framing framing) {
        if (framing == Framing.HTTP) {
            ctx.pipeline().addAfter(ctx.name(), "http-codec", new HttpServerCodec());
            ctx.pipeline().addAfter("http-codec", "http-aggregator", new HttpObjectAggregator(MAX));
        } else {
            ctx.pipeline().addAfter(ctx.name(), "framing", new StreamFrameDecoder(framing.newDecoder(MAX)));
        }
    }

    private static JsonNode parse(String line) {
        try {
            return Json.mapper().readTree(line);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }
}
