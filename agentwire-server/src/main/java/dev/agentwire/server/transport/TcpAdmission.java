package dev.agentwire.server.transport;

import dev.agentwire.core.Peer;
import dev.agentwire.core.Transport;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records a TCP peer's address on the channel and takes its slot in the {@link PreAuthBudget}; a peer over a
 * limit is closed at once, before it may send anything (it has not authenticated, so it gets no explanation
 * beyond one log line a second). TCP peers authenticate later, with a token or the browser cookie.
 */
final class TcpAdmission extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(TcpAdmission.class);
    /** When the last refusal was logged (nanoTime): refusals come in floods, the log line at most once a second. */
    private static final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - TimeUnit.SECONDS.toNanos(2));

    private final PreAuthBudget budget;
    private String key;

    TcpAdmission(PreAuthBudget budget) {
        this.budget = budget;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        SocketAddress remote = ctx.channel().remoteAddress();
        String host = remote instanceof InetSocketAddress i ? i.getAddress().getHostAddress() : String.valueOf(remote);
        String address = remote instanceof InetSocketAddress i ? host + ":" + i.getPort() : host;
        Optional<String> refusal = budget.admit(address, host, ctx.channel());
        if (refusal.isPresent()) {
            long last = lastLogged.get();
            long now = System.nanoTime();
            if (now - last > TimeUnit.SECONDS.toNanos(1) && lastLogged.compareAndSet(last, now)) {
                log.warn("refusing TCP connections: {} ({} refused so far)", refusal.get(), budget.refusedCount());
            }
            ctx.close();
            return;
        }
        key = address;
        ctx.channel().attr(Attributes.PEER).set(Peer.remote(Transport.TCP, address));
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (key != null) {
            budget.closed(key, ctx.channel());
            key = null;
        }
        ctx.fireChannelInactive();
    }
}
