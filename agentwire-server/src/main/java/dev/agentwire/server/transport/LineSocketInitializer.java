package dev.agentwire.server.transport;

import dev.agentwire.core.HubCore;
import dev.agentwire.netty.NettyTransport;
import dev.agentwire.netty.StreamFrameDecoder;
import dev.agentwire.protocol.Framing;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The pipeline of a line-based socket beside hub.sock ({@code api.sock}, {@code control.sock}): the hub
 * socket's Unix admission, NDJSON lines, then the socket's own handler.
 */
public final class LineSocketInitializer extends ChannelInitializer<Channel> {

    private final HubCore core;
    private final NettyTransport transport;
    private final String name;
    private final HubChannelInitializer.Settings settings;
    private final ChannelGroup channels;
    private final Supplier<ChannelHandler> handler;

    private LineSocketInitializer(
            HubCore core,
            NettyTransport transport,
            String name,
            HubChannelInitializer.Settings settings,
            ChannelGroup channels,
            Supplier<ChannelHandler> handler) {
        this.core = core;
        this.transport = transport;
        this.name = name;
        this.settings = settings;
        this.channels = channels;
        this.handler = handler;
    }

    /** {@code api.sock}: {@link ApiSocketHandler}, running commands on {@code work} ({@link HandlerPools#api()}). */
    public static LineSocketInitializer api(
            HubCore core,
            NettyTransport transport,
            HubChannelInitializer.Settings settings,
            ChannelGroup channels,
            Executor work) {
        return new LineSocketInitializer(
                core, transport, "api.sock", settings, channels, () -> new ApiSocketHandler(core, work));
    }

    /** {@code control.sock}: {@link ControlSocketHandler}. */
    public static LineSocketInitializer control(
            HubCore core, NettyTransport transport, HubChannelInitializer.Settings settings, ChannelGroup channels) {
        return new LineSocketInitializer(
                core, transport, "control.sock", settings, channels, () -> new ControlSocketHandler(core));
    }

    @Override
    protected void initChannel(Channel ch) {
        channels.add(ch);
        ch.pipeline()
                .addLast("admission", new UnixAdmission(core, transport, name, settings.ownerUid()))
                .addLast("framing", new StreamFrameDecoder(Framing.NDJSON.newDecoder(settings.maxMessageBytes())))
                .addLast("handler", handler.get());
    }
}
