package dev.agentwire.server.transport;

import dev.agentwire.netty.NettyTransport;
import dev.agentwire.netty.PeerCreds;
import dev.agentwire.protocol.Json;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LineBasedFrameDecoder;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Who listens on a Unix socket (a path or an abstract name) the hub wants: it connects, reads the listener's
 * peer credentials ({@code SO_PEERCRED}: uid and pid as the kernel knows them, which no listener can fake), and
 * only when the listener runs as this user asks it {@code hub/status} for its pid; nothing is sent to another
 * user's program. Used once per socket at start, from the starting thread (it blocks, bounded by the timeout);
 * it runs its own one-thread event loop for the probe and shuts it down. Stateless and thread safe.
 */
final class SocketHolder {

    /**
     * A listener found on the socket.
     *
     * @param creds its credentials, where the transport could read them
     * @param ours whether it runs as this user (uid, or user name on the NIO fallback)
     * @param hubPid the pid it gave as a hub, when it is ours and answered {@code hub/status}
     */
    record Holder(Optional<PeerCreds> creds, boolean ours, OptionalLong hubPid) {

        /** {@code uid N (pid P)}, or what is known of it. */
        String describe() {
            if (creds.isEmpty()) {
                return "a program whose credentials cannot be read";
            }
            PeerCreds c = creds.get();
            String who = c.uid().isPresent()
                    ? "uid " + c.uid().getAsInt()
                    : "user " + c.user().orElse("unknown");
            return who + " (" + pid() + ")";
        }

        /** {@code pid P}, or {@code pid unknown}. */
        String pid() {
            OptionalLong pid = creds.map(PeerCreds::pid).orElse(OptionalLong.empty());
            return "pid " + (pid.isPresent() ? Long.toString(pid.getAsLong()) : "unknown");
        }
    }

    private SocketHolder() {}

    /** The listener on {@code address}, or empty when nothing accepts a connection there within {@code timeout}. */
    static Optional<Holder> find(NettyTransport transport, SocketAddress address, Duration timeout) {
        EventLoopGroup group = transport.newGroup(1, "aw-socket-probe");
        CompletableFuture<String> firstLine = new CompletableFuture<>();
        try {
            ChannelFuture connect = new Bootstrap()
                    .group(group)
                    .channel(transport.domainChannel())
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis())
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new LineBasedFrameDecoder(64 * 1024), new FirstLine(firstLine));
                        }
                    })
                    .connect(address);
            if (!connect.awaitUninterruptibly(timeout.toMillis() + 1000) || !connect.isSuccess()) {
                connect.cancel(false);
                return Optional.empty();
            }
            Channel ch = connect.channel();
            try {
                Optional<PeerCreds> creds = credentials(transport, ch);
                boolean ours = creds.map(SocketHolder::isThisUser).orElse(false);
                OptionalLong hubPid = ours ? askHubPid(ch, firstLine, timeout) : OptionalLong.empty();
                return Optional.of(new Holder(creds, ours, hubPid));
            } finally {
                ch.close().awaitUninterruptibly(timeout.toMillis());
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    private static Optional<PeerCreds> credentials(NettyTransport transport, Channel ch) {
        try {
            return transport.peerCredentials(ch);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean isThisUser(PeerCreds c) {
        if (c.uid().isPresent()) {
            return c.uid().getAsInt() == thisUid();
        }
        return c.user().isPresent() && c.user().get().equals(System.getProperty("user.name"));
    }

    /** The uid this process runs as. */
    static int thisUid() {
        return (int) new com.sun.security.auth.module.UnixSystem().getUid();
    }

    private static OptionalLong askHubPid(Channel ch, CompletableFuture<String> firstLine, Duration timeout) {
        ch.writeAndFlush(Unpooled.copiedBuffer(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/status\"}\n", StandardCharsets.UTF_8));
        try {
            long pid = Json.mapper()
                    .readTree(firstLine.get(timeout.toMillis(), TimeUnit.MILLISECONDS))
                    .path("result")
                    .path("pid")
                    .asLong(-1);
            return pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        } catch (Exception e) {
            return OptionalLong.empty(); // no answer in time, or not JSON: not a hub
        }
    }

    /** Completes with the first line the listener sends. */
    private static final class FirstLine extends SimpleChannelInboundHandler<ByteBuf> {
        private final CompletableFuture<String> line;

        FirstLine(CompletableFuture<String> line) {
            this.line = line;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
            line.complete(msg.toString(StandardCharsets.UTF_8));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            line.completeExceptionally(cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            line.completeExceptionally(new IOException("closed without an answer"));
        }
    }
}
