package dev.agentwire.netty;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.kqueue.KQueue;
import io.netty.channel.kqueue.KQueueDomainSocketChannel;
import io.netty.channel.kqueue.KQueueIoHandler;
import io.netty.channel.kqueue.KQueueServerDomainSocketChannel;
import io.netty.channel.kqueue.KQueueServerSocketChannel;
import io.netty.channel.kqueue.KQueueSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.PeerCredentials;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The best Netty transport this platform offers: native epoll on Linux (Unix sockets with abstract names and
 * peer credentials with pid), native kqueue on macOS, and NIO (JDK 16+ Unix sockets, no abstract names, peer
 * user name only) anywhere else. Immutable; pick one with {@link #detect()}.
 */
public enum NettyTransport {
    EPOLL,
    KQUEUE,
    NIO;

    /** The native transport if it loads here, else NIO. Set {@code -Dagentwire.transport=nio} to force NIO. */
    public static NettyTransport detect() {
        String forced = System.getProperty("agentwire.transport", "");
        if (!forced.isEmpty()) {
            return valueOf(forced.toUpperCase(Locale.ROOT));
        }
        if (Epoll.isAvailable()) {
            return EPOLL;
        }
        if (KQueue.isAvailable()) {
            return KQUEUE;
        }
        return NIO;
    }

    /** Whether Linux abstract socket names ({@code @name}) can be bound and connected. */
    public boolean supportsAbstract() {
        return this == EPOLL;
    }

    public IoHandlerFactory ioHandlerFactory() {
        return switch (this) {
            case EPOLL -> EpollIoHandler.newFactory();
            case KQUEUE -> KQueueIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        };
    }

    /** An event loop group of {@code threads} threads named {@code name-N}. */
    public EventLoopGroup newGroup(int threads, String name) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), ioHandlerFactory());
    }

    public Class<? extends ServerChannel> serverDomainChannel() {
        return switch (this) {
            case EPOLL -> EpollServerDomainSocketChannel.class;
            case KQUEUE -> KQueueServerDomainSocketChannel.class;
            case NIO -> NioServerDomainSocketChannel.class;
        };
    }

    public Class<? extends Channel> domainChannel() {
        return switch (this) {
            case EPOLL -> EpollDomainSocketChannel.class;
            case KQUEUE -> KQueueDomainSocketChannel.class;
            case NIO -> NioDomainSocketChannel.class;
        };
    }

    public Class<? extends ServerChannel> serverTcpChannel() {
        return switch (this) {
            case EPOLL -> EpollServerSocketChannel.class;
            case KQUEUE -> KQueueServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
        };
    }

    public Class<? extends Channel> tcpChannel() {
        return switch (this) {
            case EPOLL -> EpollSocketChannel.class;
            case KQUEUE -> KQueueSocketChannel.class;
            case NIO -> NioSocketChannel.class;
        };
    }

    /**
     * The socket address for a Unix socket path, or for a Linux abstract name when {@code abstractName}.
     *
     * @throws IllegalArgumentException for an abstract name on a transport without them
     */
    public SocketAddress domainAddress(String pathOrName, boolean abstractName) {
        if (abstractName) {
            if (!supportsAbstract()) {
                throw new IllegalArgumentException("abstract socket names need Linux with native epoll; this is "
                        + name().toLowerCase(Locale.ROOT) + " (use a socket path instead)");
            }
            return new DomainSocketAddress("\0" + pathOrName);
        }
        return this == NIO ? UnixDomainSocketAddress.of(pathOrName) : new DomainSocketAddress(pathOrName);
    }

    /** The peer's credentials on a connected Unix-socket channel. */
    public Optional<PeerCreds> peerCredentials(Channel channel) throws IOException {
        PeerCredentials pc;
        if (channel instanceof EpollDomainSocketChannel e) {
            pc = e.peerCredentials();
        } else if (channel instanceof KQueueDomainSocketChannel k) {
            pc = k.peerCredentials();
        } else if (channel instanceof NioDomainSocketChannel) {
            UnixDomainPrincipal principal =
                    channel.config().getOption(NioChannelOption.of(ExtendedSocketOptions.SO_PEERCRED));
            return principal == null
                    ? Optional.empty()
                    : Optional.of(new PeerCreds(
                            OptionalInt.empty(),
                            List.of(),
                            OptionalLong.empty(),
                            Optional.of(principal.user().getName())));
        } else {
            return Optional.empty();
        }
        List<Integer> gids = new ArrayList<>();
        for (int g : pc.gids()) {
            gids.add(g);
        }
        return Optional.of(new PeerCreds(
                OptionalInt.of(pc.uid()),
                gids,
                pc.pid() > 0 ? OptionalLong.of(pc.pid()) : OptionalLong.empty(),
                Optional.empty()));
    }
}
