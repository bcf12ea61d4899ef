package dev.agentwire.server.transport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.HubCore;
import dev.agentwire.netty.NettyTransport;
import dev.agentwire.netty.StreamFrameDecoder;
import dev.agentwire.protocol.Framing;
import dev.agentwire.server.web.WebAccess;
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
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * Assembles a hub connection's pipeline, top to bottom:
 *
 * <pre>
 *   socket-debug (only when the agentwire.socket logger is at debug: SOCKET_DEBUG=true)
 *   admission (Unix: peer credentials and policy | TCP: address, pre-authentication budget, hello deadline,
 *             heartbeat: ping a silent peer)
 *   backpressure (stop reading while the outbound queue is over the high-water mark)
 *   sniff (first byte) → replaced by one of:
 *     NDJSON | length-prefixed | typed : StreamFrameDecoder → RpcHandler
 *     HTTP (TCP only)                  : HttpServerCodec → SecurityHeaders (outbound: nosniff, no framing) →
 *                                        HttpDeadlines (head, body, idle) → RequestTargets (400 for a target
 *                                        that cannot be decoded) → HttpGate (on the request's head: Host, Origin,
 *                                        then a token or the login cookie for all but /health, /login and the
 *                                        files; /socket.io/ authenticates in its CONNECT) → HttpObjectAggregator →
 *                                        EngineIoHandler (/socket.io/: Engine.IO polling and WebSocket) →
 *                                        McpHttpHandler (/mcp: MCP Streamable HTTP) →
 *                                        A2aHandler (/a2a/: agent cards and A2A's JSON-RPC binding) →
 *                                        WebSocketServerProtocolHandler → WebSocketFrameAggregator →
 *                                        WebSocketRpcHandler (JSON-RPC over text, typed frames over binary) →
 *                                        ApiHandler (/api/*, /metrics) → LoginHandler (/login, /login/status) →
 *                                        HttpHandler (/health, /client.js, the pages); HTTP
 *                                        deadlines (head, body, idle) sit between the codec and the aggregator
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
            long slowConsumerGraceMs,
            PreAuthBudget budget,
            HttpTimeouts http,
            int idlePingSeconds) {}

    /**
     * The HTTP deadlines ({@link HttpDeadlines}).
     *
     * @param headMs {@code limits.httpHeaderTimeoutMs}
     * @param bodyMs {@code limits.httpBodyTimeoutMs}
     * @param idleMs {@code limits.httpIdleTimeoutMs}
     */
    public record HttpTimeouts(long headMs, long bodyMs, long idleMs) {}

    private static final StaticFiles FILES = new StaticFiles();

    private final HubCore core;
    private final NettyTransport transport;
    private final boolean tcp;
    private final String address;
    private final Settings settings;
    private final ChannelGroup channels;
    private final Supplier<ObjectNode> health;
    private final Supplier<String> metrics;
    private final Optional<WebAccess> web;
    private final Optional<dev.agentwire.server.socketio.EngineServer> socketIo;
    private final Optional<dev.agentwire.server.mcp.McpHttpServer> mcp;
    private final Optional<dev.agentwire.server.a2a.A2aServer> a2a;

    private HubChannelInitializer(
            HubCore core,
            NettyTransport transport,
            boolean tcp,
            String address,
            Settings settings,
            ChannelGroup channels,
            Supplier<ObjectNode> health,
            Supplier<String> metrics,
            Optional<WebAccess> web,
            Optional<dev.agentwire.server.socketio.EngineServer> socketIo,
            Optional<dev.agentwire.server.mcp.McpHttpServer> mcp,
            Optional<dev.agentwire.server.a2a.A2aServer> a2a) {
        this.core = core;
        this.transport = transport;
        this.tcp = tcp;
        this.address = address;
        this.settings = settings;
        this.channels = channels;
        this.health = health;
        this.metrics = metrics;
        this.web = web;
        this.socketIo = socketIo;
        this.mcp = mcp;
        this.a2a = a2a;
    }

    /** For the Unix socket at {@code address}. */
    public static HubChannelInitializer unix(
            HubCore core, NettyTransport transport, String address, Settings settings, ChannelGroup channels) {
        Supplier<ObjectNode> noHealth = () -> {
            throw new IllegalStateException("no HTTP on the Unix socket");
        };
        return new HubChannelInitializer(
                core,
                transport,
                false,
                address,
                settings,
                channels,
                noHealth,
                () -> "",
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    /** The TCP listener's handler: accepts at most {@code maxTcpConnections} at once ({@link AcceptGate}). */
    public static io.netty.channel.ChannelHandler acceptGate(int maxTcpConnections) {
        return new AcceptGate(maxTcpConnections);
    }

    /** For the TCP port. */
    public static HubChannelInitializer tcp(
            HubCore core,
            NettyTransport transport,
            String address,
            Settings settings,
            ChannelGroup channels,
            Supplier<ObjectNode> health,
            Supplier<String> metrics,
            WebAccess web,
            Optional<dev.agentwire.server.socketio.EngineServer> socketIo,
            Optional<dev.agentwire.server.mcp.McpHttpServer> mcp,
            Optional<dev.agentwire.server.a2a.A2aServer> a2a) {
        return new HubChannelInitializer(
                core,
                transport,
                true,
                address,
                settings,
                channels,
                health,
                metrics,
                Optional.of(web),
                socketIo,
                mcp,
                a2a);
    }

    @Override
    protected void initChannel(Channel ch) {
        channels.add(ch);
        ChannelPipeline p = ch.pipeline();
        dev.agentwire.netty.SocketDebugLog.forHub().ifPresent(h -> p.addLast("socket-debug", h));
        if (tcp) {
            p.addLast("admission", new TcpAdmission(settings.budget()));
            p.addLast("hello-deadline", new HelloDeadline(settings.helloTimeoutMs(), core.audit()));
            if (settings.idlePingSeconds() > 0) {
                p.addLast("heartbeat", new Heartbeat(settings.idlePingSeconds()));
            }
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
            int port = ((InetSocketAddress) ctx.channel().localAddress()).getPort();
            WebAccess access = web.orElseThrow(() -> new IllegalStateException("HTTP on a socket without web access"));
            p.addAfter(after, "http-codec", new HttpServerCodec());
            HttpTimeouts t = settings.http();
            p.addAfter("http-codec", "http-headers", SecurityHeaders.INSTANCE);
            p.addAfter("http-headers", "http-deadlines", new HttpDeadlines(t.headMs(), t.bodyMs(), t.idleMs()));
            p.addAfter("http-deadlines", "http-targets", new RequestTargets());
            // The gate judges each request's head before the aggregator buffers its body.
            p.addAfter(
                    "http-targets",
                    "http-gate",
                    new HttpGate(
                            core.tokens(),
                            access,
                            port,
                            HubChannelInitializer::isOpen,
                            core.audit(),
                            socketIo.map(s -> s.settings().maxPayload()).orElse(0)));
            p.addAfter("http-gate", "http-aggregator", new HttpObjectAggregator(max));
            String beforeWebSocket = "http-aggregator";
            if (socketIo.isPresent()) {
                p.addAfter(
                        "http-aggregator",
                        "socketio",
                        new dev.agentwire.server.socketio.EngineIoHandler(
                                socketIo.get(),
                                ch -> Optional.ofNullable(
                                        ch.attr(Attributes.GRANT).get()),
                                ch -> ch.attr(Attributes.PEER).get().address()));
                beforeWebSocket = "socketio";
            }
            if (mcp.isPresent()) {
                p.addAfter(
                        beforeWebSocket,
                        "mcp-http",
                        new dev.agentwire.server.mcp.McpHttpHandler(
                                mcp.get(),
                                ch -> Optional.ofNullable(
                                        ch.attr(Attributes.GRANT).get()),
                                ch -> ch.attr(Attributes.PEER).get().address()));
                beforeWebSocket = "mcp-http";
            }
            if (a2a.isPresent()) {
                p.addAfter(
                        beforeWebSocket,
                        "a2a",
                        new dev.agentwire.server.a2a.A2aHandler(
                                a2a.get(),
                                ch -> Optional.ofNullable(
                                        ch.attr(Attributes.GRANT).get()),
                                ch -> ch.attr(Attributes.PEER).get().address()));
                beforeWebSocket = "a2a";
            }
            p.addAfter(
                    beforeWebSocket,
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
            p.addAfter("api", "login", new LoginHandler(access, port, core.audit()));
            p.addAfter("login", "http", new HttpHandler(health, FILES));
        } else {
            if (tcp) {
                p.addAfter(after, "pre-auth-limit", new PreAuthReadLimit());
                after = "pre-auth-limit";
            }
            p.addAfter(after, "framing", new StreamFrameDecoder(framing.newDecoder(settings.maxMessageBytes())));
            p.addAfter("framing", "rpc", new RpcHandler(core, framing, settings.maxOutboundBytes(), graceNanos()));
        }
    }

    /** The paths anyone may ask for: they hold no data. Everything else needs a secret. */
    private static boolean isOpen(String path) {
        return path.equals("/health")
                || path.startsWith("/.well-known/oauth-") // MCP clients look for OAuth here: a plain 404, not a 401
                || path.equals("/login")
                || path.equals("/login/status")
                || FILES.find(path).isPresent();
    }

    private long graceNanos() {
        return java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(settings.slowConsumerGraceMs());
    }
}
