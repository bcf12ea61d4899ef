package dev.agentwire.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.unix.Errors;
import io.netty.util.AttributeKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Socket-level debug logging (the socket skill's {@code SOCKET_DEBUG=true}): each connection's accept or connect
 * with its addresses and the options in effect, its close (by which side, after how long) and its errors with the
 * errno. It logs to the {@value #LOGGER} logger at debug; {@code aw} turns that on when {@code SOCKET_DEBUG} is
 * true, an embedder through its SLF4J backend. {@link #ifEnabled} gives none when the logger is off, so a pipeline
 * pays nothing then. Stateless and sharable: the connection's start time is a channel attribute.
 */
@ChannelHandler.Sharable
public final class SocketDebugLog extends ChannelDuplexHandler {

    /** The logger's name. */
    public static final String LOGGER = "agentwire.socket";

    private static final Logger log = LoggerFactory.getLogger(LOGGER);
    private static final AttributeKey<Long> SINCE = AttributeKey.valueOf("agentwire.socketDebugSince");
    private static final List<ChannelOption<?>> OPTIONS = List.of(
            ChannelOption.SO_RCVBUF, ChannelOption.SO_SNDBUF, ChannelOption.TCP_NODELAY, ChannelOption.SO_KEEPALIVE);

    /** What the JDK's messages say, as errno names (a native transport gives the number itself). */
    private static final Map<String, String> ERRNO_BY_MESSAGE = Map.of(
            "Connection reset by peer", "ECONNRESET",
            "Broken pipe", "EPIPE",
            "Connection refused", "ECONNREFUSED",
            "Connection timed out", "ETIMEDOUT",
            "No route to host", "EHOSTUNREACH",
            "Network is unreachable", "ENETUNREACH",
            "Too many open files", "EMFILE");

    private final String side;
    private final String opened;

    private SocketDebugLog(String side, String opened) {
        this.side = side;
        this.opened = opened;
    }

    /** The hub's handler ("accepted"), when the logger is on. */
    public static Optional<ChannelHandler> forHub() {
        return log.isDebugEnabled() ? Optional.of(new SocketDebugLog("hub", "accepted")) : Optional.empty();
    }

    /** A client's handler ("connected"), when the logger is on. */
    public static Optional<ChannelHandler> forClient() {
        return log.isDebugEnabled() ? Optional.of(new SocketDebugLog("client", "connected")) : Optional.empty();
    }

    /** Logs a client's connect that failed (its channel never became active, so no handler saw it). */
    public static void connectFailed(Object address, Throwable cause) {
        log.debug("client: connect to {} failed: {}{}", address, errno(cause), cause.toString());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel ch = ctx.channel();
        ch.attr(SINCE).set(System.nanoTime());
        log.debug(
                "{} {}: {} {} -> {} [{}]",
                side,
                ch.id().asShortText(),
                opened,
                name(ch.remoteAddress()),
                name(ch.localAddress()),
                options(ch));
        ctx.fireChannelActive();
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        log.debug("{} {}: closing from this side", side, ctx.channel().id().asShortText());
        ctx.close(promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Long since = ctx.channel().attr(SINCE).get();
        log.debug(
                "{} {}: closed {} after {} ms",
                side,
                ctx.channel().id().asShortText(),
                name(ctx.channel().remoteAddress()),
                since == null ? -1 : (System.nanoTime() - since) / 1_000_000);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("{} {}: error {}{}", side, ctx.channel().id().asShortText(), errno(cause), cause.toString());
        ctx.fireExceptionCaught(cause);
    }

    /** {@code "errno 104 "} from a native transport, {@code "ECONNRESET "} from the JDK's message, or "". */
    static String errno(Throwable cause) {
        if (cause instanceof Errors.NativeIoException n) {
            return "errno " + Math.abs(n.expectedErr()) + " ";
        }
        String message = cause.getMessage() == null ? "" : cause.getMessage();
        return ERRNO_BY_MESSAGE.entrySet().stream()
                .filter(e -> message.contains(e.getKey()))
                .map(e -> e.getValue() + " ")
                .findFirst()
                .orElse("");
    }

    /** An address as text; a Unix socket's unbound peer has an empty one. */
    private static String name(java.net.SocketAddress a) {
        String s = a == null ? "" : a.toString();
        return s.isEmpty() ? "(unnamed)" : s;
    }

    private static String options(Channel ch) {
        List<String> set = new ArrayList<>();
        for (ChannelOption<?> o : OPTIONS) {
            try {
                Object v = ch.config().getOption(o);
                if (v != null) {
                    set.add(o.name() + "=" + v);
                }
            } catch (RuntimeException e) {
                // this transport does not have the option (a Unix socket has no TCP_NODELAY)
            }
        }
        return String.join(", ", set);
    }
}
