package dev.agentwire.server.transport;

import dev.agentwire.core.HubCore;
import dev.agentwire.netty.NettyTransport;
import dev.agentwire.netty.StreamFrameDecoder;
import dev.agentwire.protocol.Framing;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;

/** The pipeline of {@code control.sock}: Unix admission, lines, {@link ControlSocketHandler}. */
public final class ControlSocketInitializer extends ChannelInitializer<Channel> {

    private final HubCore core;
    private final NettyTransport transport;
    private final HubChannelInitializer.Settings settings;
    private final ChannelGroup channels;

    public ControlSocketInitializer(
            HubCore core, NettyTransport transport, HubChannelInitializer.Settings settings, ChannelGroup channels) {
        this.core = core;
        this.transport = transport;
        this.settings = settings;
        this.channels = channels;
    }

    @Override
    protected void initChannel(Channel ch) {
        channels.add(ch);
        ch.pipeline()
                .addLast("admission", new UnixAdmission(core, transport, "control.sock", settings.ownerUid()))
                .addLast("framing", new StreamFrameDecoder(Framing.NDJSON.newDecoder(settings.maxMessageBytes())))
                .addLast("control", new ControlSocketHandler(core));
    }
}
