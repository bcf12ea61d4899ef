package dev.agentwire.server.mcp;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One SSE stream of an MCP session: the answer to one POSTed request, or the session's standalone stream (GET).
 * Every event has an id {@code <stream>_<n>}, unique in the session, and the last {@code keep} events are kept
 * so that a client whose connection broke can resume with {@code Last-Event-ID} on a new GET. The stream writes
 * to the connection attached to it, if any; a comment line keeps an idle one open. Thread safe: writes are
 * ordered under the lock.
 */
final class SseStream {

    private record Event(long n, String data) {}

    /** Bytes a stream's connection may hold unread before it is closed as a slow consumer. */
    static final long MAX_BEHIND_BYTES = 8L * 1024 * 1024;

    private final int number;
    private final int keep;
    private final long keepAliveMs;
    private final ArrayDeque<Event> events = new ArrayDeque<>();
    private long next;
    private ChannelHandlerContext sink;
    private ScheduledFuture<?> keepAlive;
    private boolean finished;

    SseStream(int number, int keep, long keepAliveMs) {
        this.number = number;
        this.keep = keep;
        this.keepAliveMs = keepAliveMs;
    }

    int number() {
        return number;
    }

    /** Writes to {@code ctx} from now on (the response head is already written), first the events after {@code after}. */
    synchronized void attach(ChannelHandlerContext ctx, long after) {
        detach();
        sink = ctx;
        for (Event e : events) {
            if (e.n() > after) {
                write(format(e));
            }
        }
        if (finished) {
            end();
            return;
        }
        ctx.flush();
        keepAlive =
                ctx.executor().scheduleAtFixedRate(this::keepAlive, keepAliveMs, keepAliveMs, TimeUnit.MILLISECONDS);
        ctx.channel().closeFuture().addListener(f -> detached(ctx));
    }

    /** The priming event of MCP 2025-11-25: an id and no data, so that the client can resume from the start. */
    synchronized void prime() {
        Event e = new Event(++next, "");
        remember(e);
        if (sink != null) {
            write(format(e));
            sink.flush();
        }
    }

    /** Sends one JSON-RPC message as an event. */
    synchronized void send(String json) {
        Event e = new Event(++next, json);
        remember(e);
        if (sink != null) {
            write(format(e));
            sink.flush();
            if (behind(sink.channel()) > MAX_BEHIND_BYTES) {
                // A client that does not read: its connection goes, the stream stays (resumable from its events).
                ChannelHandlerContext slow = sink;
                sink = null;
                if (keepAlive != null) {
                    keepAlive.cancel(false);
                    keepAlive = null;
                }
                slow.close();
            }
        }
    }

    /** Bytes written to {@code ch} and not yet taken by its peer. */
    static long behind(io.netty.channel.Channel ch) {
        io.netty.channel.ChannelOutboundBuffer b = ch.unsafe().outboundBuffer();
        return b == null ? 0 : b.totalPendingWriteBytes();
    }

    /** Ends the stream (after its request's answer). */
    synchronized void finish() {
        finished = true;
        if (sink != null) {
            end();
        }
    }

    synchronized boolean finished() {
        return finished;
    }

    synchronized boolean attached() {
        return sink != null;
    }

    /** Ends the stream's connection without ending the stream (the session closes, or another GET took it). */
    synchronized void detach() {
        if (keepAlive != null) {
            keepAlive.cancel(false);
            keepAlive = null;
        }
        if (sink != null) {
            ChannelHandlerContext s = sink;
            sink = null;
            s.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }

    private synchronized void detached(ChannelHandlerContext ctx) {
        if (sink == ctx) {
            sink = null;
            if (keepAlive != null) {
                keepAlive.cancel(false);
                keepAlive = null;
            }
        }
    }

    private void end() {
        if (keepAlive != null) {
            keepAlive.cancel(false);
            keepAlive = null;
        }
        ChannelHandlerContext s = sink;
        sink = null;
        s.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    private synchronized void keepAlive() {
        if (sink != null) {
            write(": keep-alive\n\n");
            sink.flush();
        }
    }

    private void remember(Event e) {
        if (keep > 0) {
            events.add(e);
            while (events.size() > keep) {
                events.poll();
            }
        }
    }

    private String format(Event e) {
        StringBuilder b = new StringBuilder("id: ")
                .append(number)
                .append('_')
                .append(e.n())
                .append('\n');
        if (e.data().isEmpty()) {
            b.append("data: \n\n");
        } else {
            b.append("event: message\ndata: ").append(e.data()).append("\n\n");
        }
        return b.toString();
    }

    private void write(String text) {
        sink.write(new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)));
    }
}
