package dev.agentwire.server.transport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.HubCore;
import dev.agentwire.netty.NettyTransport;
import dev.agentwire.netty.StreamFrameDecoder;
import dev.agentwire.protocol.Framing;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * Assembles a hub connection's pipeline, top to bottom:
 *
 * <pre>
 *   admission (Unix: peer credentials and policy | TCP: address, hello deadline)
 *   backpressure (stop reading while the outbound queue is over the high-water mark)
 *   sniff (first byte) → replaced by one of:
 *     NDJSON | length-prefixed | typed : StreamFrameDecoder → RpcHandler
 *     HTTP (TCP only)                  : HttpServerCodec → HttpObjectAggregator → RequestTargets (400 for a
 *                                        target that cannot be decoded) → WebSocketGate (/ws: origin or
 *                                        token) → WebSocketServerProtocolHandler → WebSocketFrameAggregator →
 *                                        WebSocketRpcHandler (JSON-RPC over text, typed frames over binary) →
 *                                        ApiHandler (/api/*, /metrics: token) →
 *                                        HttpHandler (/health, /client.js, /demo/tools.html)
 *   half-close (a peer that shut its output and is not a JSON-RPC connection is closed)
 *   errors (an exception no handler took: logged, quietly for a broken peer, and the connection closed)
 * </pre>
 */
public final class HubChannelInitializer extends ChannelInitializer<Channel> {

    /** Everything the pipeline needs. */
    public record Settings(
            int maxMessageBytes,
            long maxOutboundBytes,
            long helloTimeoutMs,
            OptionalInt ownerUid,
            java.util.List<String> allowedOrigins,
            long slowConsumerGraceMs) {}

    private static final StaticFiles FILES = new StaticFiles();

    private final HubCore core;
    private final NettyTransport transport;
    private final boolean tcp;
    private final String address;
    private final Settings settings;
    private final ChannelGroup channels;
    private final Supplier<ObjectNode> health;
    private final Supplier<String> metrics;

    private HubChannelInitializer(
            HubCore core,
            NettyTransport transport,
            boolean tcp,
            String address,
            Settings settings,
            ChannelGroup channels,
            Supplier<ObjectNode> health,
            Supplier<String> metrics) {
        this.core = core;
        this.transport = transport;
        this.tcp = tcp;
        this.address = address;
        this.settings = settings;
        this.channels = channels;
        this.health = health;
        this.metrics = metrics;
    }

    /** For the Unix socket at {@code address}. */
    public static HubChannelInitializer unix(
            HubCore core, NettyTransport transport, String address, Settings settings, ChannelGroup channels) {
        Supplier<ObjectNode> noHealth = () -> {
            throw new IllegalStateException("no HTTP on the Unix socket");
        };
        return new HubChannelInitializer(core, transport, false, address, settings, channels, noHealth, () -> "");
    }

    /** For the TCP port. */
    public static HubChannelInitializer tcp(
            HubCore core,
            NettyTransport transport,
            String address,
            Settings settings,
            ChannelGroup channels,
            Supplier<ObjectNode> health,
            Supplier<String> metrics) {
        return new HubChannelInitializer(core, transport, true, address, settings, channels, health, metrics);
    }

    @Override
    protected void initChannel(Channel ch) {
        channels.add(ch);
        ChannelPipeline p = ch.pipeline();
        if (tcp) {
            p.addLast("admission", new TcpAdmission());
            p.addLast("hello-deadline", new HelloDeadline(settings.helloTimeoutMs()));
        } else {
            p.addLast("admission", new UnixAdmission(core, transport, address, settings.ownerUid()));
        }
        p.addLast("backpressure", new BackpressureHandler());
        p.addLast("sniff", new SniffHandler(tcp, this::install));
        p.addLast("half-close", new HalfCloseHandler());
        p.addLast("errors", new PipelineErrors());
    }

    private void install(ChannelHandlerContext ctx, Framing framing) {
        ChannelPipeline p = ctx.pipeline();
        String after = ctx.name();
        if (framing == Framing.HTTP) {
            HelloDeadline deadline = p.get(HelloDeadline.class);
            if (deadline != null) {
                deadline.cancel();
            }
            int max = settings.maxMessageBytes();
            p.addAfter(after, "http-codec", new HttpServerCodec());
            p.addAfter("http-codec", "http-aggregator", new HttpObjectAggregator(max));
            p.addAfter("http-aggregator", "http-targets", new RequestTargets());
            p.addAfter("http-targets", "ws-gate", new WebSocketGate(core.tokens(), settings.allowedOrigins()));
            p.addAfter(
                    "ws-gate",
                    "ws-protocol",
                    new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                            .websocketPath("/ws")
                            .checkStartsWith(true)
                            .maxFramePayloadLength(max)
                            .allowExtensions(false)
                            .handleCloseFrames(false) // WebSocketRpcHandler answers what came first, then closes
                            .build()));
            p.addAfter("ws-protocol", "ws-aggregator", new WebSocketFrameAggregator(max));
            p.addAfter(
                    "ws-aggregator",
                    "ws-rpc",
                    new WebSocketRpcHandler(core, max, settings.maxOutboundBytes(), graceNanos()));
            p.addAfter("ws-rpc", "api", new ApiHandler(core, metrics));
            p.addAfter("api", "http", new HttpHandler(health, FILES));
        } else {
            p.addAfter(after, "framing", new StreamFrameDecoder(framing.newDecoder(settings.maxMessageBytes())));
            p.addAfter("framing", "rpc", new RpcHandler(core, framing, settings.maxOutboundBytes(), graceNanos()));
        }
    }

    private long graceNanos() {
        return java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(settings.slowConsumerGraceMs());
    }
}
