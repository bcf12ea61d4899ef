package dev.agentwire.server.transport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.HubException;
import dev.agentwire.core.HubMetrics;
import dev.agentwire.core.terminals.IpcFrames;
import dev.agentwire.core.terminals.TerminalService;
import dev.agentwire.core.terminals.TerminalSink;
import dev.agentwire.netty.StreamFailure;
import dev.agentwire.protocol.Frame;
import dev.agentwire.protocol.FrameType;
import dev.agentwire.protocol.Framing;
import dev.agentwire.protocol.Json;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of a session's {@code ipc.sock} (VibeTunnel seed), in typed frames: it gets SessionInfo, then the
 * scrollback and every later output as StdoutData, and StatusUpdate when the process exits; it sends
 * StdinData (keyboard bytes), ControlCmd ({@code {cmd: resize|kill|update-title|reset-size}}) and Heartbeat
 * (echoed). Anything else, or a bad command, gets an Error frame and the connection goes on; a frame over the
 * size limit gets an Error frame and a close.
 *
 * <p>A viewer that does not read is never waited for: output for it queues up to {@code limits.maxOutboundBytes};
 * past that for longer than {@code limits.slowConsumerGraceMs} (or at once past four times the limit, at least 64
 * MiB) it gets an Error frame with reason {@code slow_consumer} and is closed: the same {@link ChannelOutbound} as
 * on hub.sock. The program and the other viewers
 * go on; the viewer may connect again and gets the scrollback.
 */
final class IpcHandler extends ChannelInboundHandlerAdapter implements TerminalSink {

    private static final Logger log = LoggerFactory.getLogger(IpcHandler.class);

    private final TerminalService terminals;
    private final String sessionId;
    private final HubMetrics metrics;
    private final long maxOutboundBytes;
    private final long graceNanos;
    /** Where frames are handled: the hub's {@link HandlerPools#ipc()}. */
    private final Executor work;
    /** The last frame's handling; the next one runs after it (touched only on the event loop). */
    private java.util.concurrent.CompletableFuture<Void> tail =
            java.util.concurrent.CompletableFuture.completedFuture(null);
    /** Everything to the viewer goes through it: ordered writes, coalesced flushes, the slow-consumer limit. */
    private volatile ChannelOutbound outbound;

    IpcHandler(
            TerminalService terminals,
            String sessionId,
            HubMetrics metrics,
            long maxOutboundBytes,
            long graceMs,
            Executor work) {
        this.terminals = terminals;
        this.sessionId = sessionId;
        this.metrics = metrics;
        this.maxOutboundBytes = maxOutboundBytes;
        this.graceNanos = TimeUnit.MILLISECONDS.toNanos(graceMs);
        this.work = work;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        outbound = new ChannelOutbound(
                ctx.channel(), WireFormat.stream(Framing.TYPED), maxOutboundBytes, graceNanos, metrics);
        try {
            ObjectNode info = terminals.describe(sessionId);
            send(Frame.of(FrameType.SESSION_INFO, info.toString()));
            String missed = terminals.subscribe(sessionId, this);
            if (!missed.isEmpty()) {
                output(missed);
            }
        } catch (HubException e) {
            outbound.sendFrame(ChannelOutbound.errorFrame(e.toRpcError()), true);
            return;
        }
        ctx.fireChannelActive();
    }

    private void send(Frame frame) {
        ChannelOutbound out = outbound;
        if (out != null) {
            out.sendFrame(frame);
        }
    }

    @Override
    public void output(String text) {
        output(text, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The session's bytes for this read, shared with its other viewers (never changed). */
    @Override
    public void output(String text, byte[] utf8) {
        send(Frame.of(FrameType.STDOUT_DATA, utf8));
    }

    @Override
    public void exited(int exitCode) {
        ChannelOutbound out = outbound;
        if (out == null) {
            return;
        }
        ObjectNode status = Json.mapper().createObjectNode();
        status.put("status", "exited");
        status.put("exitCode", exitCode);
        out.sendFrame(Frame.of(FrameType.STATUS_UPDATE, status.toString()), true);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof StreamFailure failure) {
            // After the answers to the frames before it.
            tail = tail.thenRun(() -> outbound.sendFrame(ChannelOutbound.errorFrame(failure.error()), true));
            return;
        }
        if (!(msg instanceof Frame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        // Off the event loop, in arrival order: writing to a PTY blocks when the program does not read its input,
        // and a signal is sent through kill(1).
        tail = tail.thenRunAsync(
                () -> {
                    try {
                        handle(frame);
                    } catch (HubException e) {
                        send(ChannelOutbound.errorFrame(e.toRpcError()));
                    } catch (RuntimeException e) {
                        log.warn("ipc.sock of {}: {}", sessionId, e.toString());
                    }
                },
                work);
    }

    private void handle(Frame frame) {
        IpcFrames.handle(frame, controls).ifPresent(this::send);
    }

    /** The session, as ipc.sock's frames drive it. */
    private final IpcFrames.Controls controls = new IpcFrames.Controls() {
        @Override
        public void type(byte[] bytes) {
            terminals.writeBytes(sessionId, bytes);
        }

        @Override
        public ObjectNode resize(int cols, int rows) {
            return terminals.resize(sessionId, cols, rows);
        }

        @Override
        public ObjectNode resetSize() {
            return terminals.resetSize(sessionId);
        }

        @Override
        public ObjectNode kill(int signal) {
            return terminals.kill(sessionId, signal);
        }

        @Override
        public ObjectNode title(String title) {
            return terminals.title(sessionId, title);
        }
    };

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        terminals.unsubscribe(sessionId, this);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("ipc.sock of {}: {}", sessionId, cause.toString());
        ctx.close();
    }
}
