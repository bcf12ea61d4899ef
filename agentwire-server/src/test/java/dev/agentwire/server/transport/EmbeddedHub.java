package dev.agentwire.server.transport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.CoreSettings;
import dev.agentwire.core.HubCore;
import dev.agentwire.core.Peer;
import dev.agentwire.core.Ticker;
import dev.agentwire.core.auth.TokensFeature;
import dev.agentwire.core.events.EventsFeature;
import dev.agentwire.core.git.GitFeature;
import dev.agentwire.core.hub.HubFeature;
import dev.agentwire.core.rooms.RoomsFeature;
import dev.agentwire.core.router.RouterFeature;
import dev.agentwire.core.services.ServicesFeature;
import dev.agentwire.core.sessions.SessionsFeature;
import dev.agentwire.core.tools.ToolsFeature;
import dev.agentwire.netty.NettyTransport;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.web.BrowserLogins;
import dev.agentwire.server.web.WebAccess;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the handler tests on {@link EmbeddedChannel} share: a real {@link HubCore} with its audit records kept,
 * and the hub's own pipeline ({@link HubChannelInitializer}) on an embedded channel that has socket addresses.
 * No sockets, no sleeps: time on a channel is frozen and moves only when a test moves it.
 *
 * <p>The core is built in {@link #newCore} only, so that a change in how cores are made is one edit. One per
 * test; {@link #close} it after.
 */
final class EmbeddedHub implements AutoCloseable {

    /** The hub's token: every scope. */
    static final String TOKEN = "embedded-hub-token-0123456789abcdef";

    /** The TCP port the channels are "bound" to: Host and Origin must name it. */
    static final int PORT = 7777;

    /** A {@code Host} that names this hub. */
    static final String HOST = "127.0.0.1:" + PORT;

    static final long HELLO_TIMEOUT_MS = 5_000;
    /** Larger than what HttpGate lets a stranger send, so that the aggregator's own limit is never what answers. */
    static final int MAX_MESSAGE_BYTES = 1 << 20;

    static final String UNIX_ADDRESS = "/tmp/embedded-hub.sock";

    /** One audit record. */
    record Audited(String event, ObjectNode fields) {}

    private static final AtomicInteger NEXT_PORT = new AtomicInteger(40_000);

    final HubCore core;
    final BrowserLogins logins = new BrowserLogins(Ticker.SYSTEM, Duration.ofHours(1));
    private final List<Audited> audit = new CopyOnWriteArrayList<>();
    private final ChannelGroup channels = new DefaultChannelGroup("embedded", ImmediateEventExecutor.INSTANCE);
    /** The channels a test opened here, finished and released by {@link #close}. */
    private final java.util.Set<EmbeddedChannel> opened =
            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    EmbeddedHub() {
        core = newCore();
        core.audit().useLog((event, fields) -> audit.add(new Audited(event, fields.deepCopy())));
    }

    /** The one place a core is built: every feature but terminals, on their defaults and in memory. */
    static HubCore newCore() {
        return HubCore.builder(CoreSettings.defaults(TOKEN), Ticker.SYSTEM)
                .features(List.of(
                        new HubFeature(),
                        new EventsFeature(),
                        new TokensFeature(),
                        new SessionsFeature(SessionsFeature.Settings.defaults()),
                        new ToolsFeature(ToolsFeature.Settings.defaults()),
                        new ServicesFeature(ServicesFeature.Settings.defaults()),
                        RoomsFeature.inMemory(),
                        new GitFeature(),
                        RouterFeature.defaults()))
                .build();
    }

    /** The audit records of {@code event} so far. */
    List<ObjectNode> audited(String event) {
        return audit.stream()
                .filter(a -> a.event().equals(event))
                .map(Audited::fields)
                .toList();
    }

    /** The TCP port's web settings: bound to 127.0.0.1, with {@code allowedOrigins} besides the hub's own. */
    WebAccess web(List<String> allowedOrigins) {
        return new WebAccess("127.0.0.1", List.of(), allowedOrigins, logins);
    }

    HubChannelInitializer.Settings settings() {
        return new HubChannelInitializer.Settings(
                MAX_MESSAGE_BYTES,
                1 << 20,
                HELLO_TIMEOUT_MS,
                OptionalInt.empty(),
                1_000,
                new PreAuthBudget(1_000, 1_000, core.audit()),
                new HubChannelInitializer.HttpTimeouts(10_000, 10_000, 60_000),
                0);
    }

    /** A new TCP connection through the hub's TCP pipeline, active, with its time frozen. */
    EmbeddedChannel tcp() {
        return tcp(List.of());
    }

    /** The same, with {@code security.allowedOrigins}. */
    EmbeddedChannel tcp(List<String> allowedOrigins) {
        return keep(registered(new TcpChannel(HubChannelInitializer.tcp(
                core,
                NettyTransport.NIO,
                "127.0.0.1:" + PORT,
                settings(),
                channels,
                () -> Json.mapper().createObjectNode().put("status", "ok"),
                () -> "agentwire_up 1\n",
                web(allowedOrigins),
                java.util.Optional.empty(),
                java.util.Optional.empty(),
                java.util.Optional.empty()))));
    }

    /** A new Unix-socket connection through the hub's Unix pipeline (whose admission reads the kernel's word). */
    EmbeddedChannel unix() {
        return keep(registered(new EmbeddedChannel(
                false,
                false,
                HubChannelInitializer.unix(core, NettyTransport.NIO, UNIX_ADDRESS, settings(), channels))));
    }

    /**
     * A connection already admitted as {@code peer} (what an admission handler records), with only
     * {@code handlers}, active, with its time frozen.
     */
    static EmbeddedChannel admitted(Peer peer, ChannelHandler... handlers) {
        EmbeddedChannel ch = new EmbeddedChannel(false, false);
        ch.attr(Attributes.PEER).set(peer);
        ch.pipeline().addLast(handlers);
        return registered(ch);
    }

    /** Registers {@code ch}, which fires channelActive, with its time frozen from the moment it is registered. */
    static EmbeddedChannel registered(EmbeddedChannel ch) {
        ch.pipeline().addFirst(new FreezeTime());
        try {
            ch.register();
        } catch (Exception e) {
            throw new IllegalStateException("an embedded channel failed to register", e);
        }
        return ch;
    }

    /**
     * Freezes the channel's time when it is registered, before channelActive: an embedded channel's time can
     * only be frozen once it has an event loop, and deadlines are scheduled when it becomes active.
     */
    private static final class FreezeTime extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRegistered(ChannelHandlerContext ctx) {
            ((EmbeddedChannel) ctx.channel()).freezeTime();
            ctx.pipeline().remove(this);
            ctx.fireChannelRegistered();
        }
    }

    /** Finishes and releases {@code ch} when the hub closes (the hub's own {@link #tcp} and {@link #unix} are). */
    EmbeddedChannel keep(EmbeddedChannel ch) {
        opened.add(ch);
        return ch;
    }

    @Override
    public void close() {
        opened.forEach(EmbeddedChannel::finishAndReleaseAll);
        core.close();
    }

    /** An embedded channel with the addresses of a TCP connection from 127.0.0.1 to the hub's port. */
    private static final class TcpChannel extends EmbeddedChannel {

        private final InetSocketAddress remote;

        /** 127.0.0.1 without a host name, as an accepted socket's addresses are. */
        private static final InetAddress LOOPBACK = loopback();

        private final InetSocketAddress local = new InetSocketAddress(LOOPBACK, PORT);

        TcpChannel(ChannelHandler initializer) {
            super(false, false, initializer);
            remote = new InetSocketAddress(LOOPBACK, NEXT_PORT.incrementAndGet());
        }

        private static InetAddress loopback() {
            try {
                return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        protected SocketAddress localAddress0() {
            return isActive() ? local : null;
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return isActive() ? remote : null;
        }
    }
}
