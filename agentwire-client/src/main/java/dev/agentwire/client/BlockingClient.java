package dev.agentwire.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Frame;
import dev.agentwire.protocol.FrameEncoding;
import dev.agentwire.protocol.Framing;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.MessageCodec;
import dev.agentwire.protocol.Parsed;
import dev.agentwire.protocol.RpcError;
import dev.agentwire.protocol.StreamDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client for blocking callers: each request is written and its answer read on the caller's own thread, with no
 * event loop or callback thread in between (one context switch fewer each way than {@link AgentwireClient}).
 * Made by {@link AgentwireClient.Builder#connectBlocking()}.
 *
 * <p>Thread safe: callers on many threads share the connection. Writes take turns; one waiting caller at a time
 * reads (for everyone: an answer for another caller wakes that caller), and when it has its own answer the next
 * waiting caller takes over. While nobody waits for an answer nothing is read: notifications reach the builder's
 * listeners (on the reading caller's thread) only then, and the hub's {@code ping} requests are answered only
 * then, so a TCP connection left idle past the hub's ping limit is closed by the hub. It neither provides tools
 * nor reconnects: that is {@link AgentwireClient}'s job. Unix sockets with a path, and TCP.
 */
public final class BlockingClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BlockingClient.class);

    /** What the builder gives. */
    record Settings(
            Endpoint endpoint,
            String name,
            String role,
            Optional<String> token,
            String session,
            Duration requestTimeout,
            Duration connectTimeout,
            int maxMessageBytes,
            HubIdentity identity,
            List<BiConsumer<String, JsonNode>> notificationListeners) {}

    /** One caller's answer, once it came. Guarded by {@link #lock}. */
    private static final class Waiter {
        JsonNode result;
        RpcError error;
        boolean done;
    }

    private final Settings settings;
    private final SocketChannel channel;
    private final Selector readable;
    private final Selector writable;
    private final StreamDecoder decoder;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Waiter> pending = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private final Object writeLock = new Object();
    private ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    /** Whether a caller is reading now. Guarded by {@link #lock}. */
    private boolean reading;
    /** Why the connection is unusable, once it is. Guarded by {@link #lock}. */
    private RuntimeException broken;

    private JsonNode hello = Json.mapper().nullNode();

    private BlockingClient(Settings settings, SocketChannel channel) throws IOException {
        this.settings = settings;
        this.channel = channel;
        this.decoder = Framing.NDJSON.newDecoder(settings.maxMessageBytes());
        channel.configureBlocking(false);
        this.readable = Selector.open();
        this.writable = Selector.open();
        channel.register(readable, SelectionKey.OP_READ);
        channel.register(writable, SelectionKey.OP_WRITE);
    }

    /** Connects, checks who serves a Unix socket, and says {@code hub/hello}. */
    static BlockingClient connect(Settings s) {
        Endpoint ep = s.endpoint();
        SocketChannel ch;
        try {
            ch = switch (ep.kind()) {
                case UNIX -> SocketChannel.open(StandardProtocolFamily.UNIX);
                case TCP -> SocketChannel.open(StandardProtocolFamily.INET);
                case ABSTRACT ->
                    throw new IllegalArgumentException(
                            "a blocking client cannot reach " + ep + ": the JDK's sockets have no abstract names");
            };
        } catch (IOException e) {
            throw new HubUnavailableException(ep, "cannot open a socket for " + ep + ": " + e.getMessage(), e);
        }
        BlockingClient client = null;
        try {
            if (ep.kind() == Endpoint.Kind.TCP) {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.socket().connect(new InetSocketAddress(ep.address(), ep.port()), (int)
                        s.connectTimeout().toMillis());
            } else {
                ch.connect(UnixDomainSocketAddress.of(ep.address()));
                // Before a single byte is sent.
                s.identity().verify(ep, ch);
            }
            client = new BlockingClient(s, ch);
            client.handshake();
            return client;
        } catch (IOException e) {
            closeQuietly(ch);
            throw new HubUnavailableException(ep, "no hub at " + ep + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (client != null) {
                client.close();
            } else {
                closeQuietly(ch);
            }
            throw e;
        }
    }

    private void handshake() {
        ObjectNode params = Json.mapper().createObjectNode();
        params.put("name", settings.name());
        params.put("role", settings.role());
        settings.token().ifPresent(t -> params.put("token", t));
        if (settings.session() != null) {
            params.put("session", settings.session());
        }
        hello = request("hub/hello", params, settings.requestTimeout());
    }

    /** The hub's answer to {@code hub/hello}. */
    public JsonNode hello() {
        return hello;
    }

    /** Sends a request with the default timeout and waits for its result. */
    public JsonNode request(String method, JsonNode params) {
        return request(method, params, settings.requestTimeout());
    }

    /**
     * Sends a request and waits for its result on this thread.
     *
     * @throws RpcException for an error answer, or {@code -32001} when none came within {@code timeout}
     * @throws ConnectionLostException when the connection is closed or breaks first
     */
    public JsonNode request(String method, JsonNode params, Duration timeout) {
        long id = ids.incrementAndGet();
        Waiter w = new Waiter();
        pending.put(id, w);
        try {
            write(new Message.Request(Id.of(id), method, params));
            return await(w, method, System.nanoTime() + timeout.toNanos(), timeout);
        } finally {
            pending.remove(id);
        }
    }

    /** Calls a tool (as {@link Tools#call(String, JsonNode)}) and waits for its {@code CallToolResult}. */
    public JsonNode callTool(String name, JsonNode arguments) {
        return callTool(name, arguments, Duration.ofSeconds(60));
    }

    /** Calls a tool with the hub's timeout {@code timeout} (this client waits 5 s more). */
    public JsonNode callTool(String name, JsonNode arguments, Duration timeout) {
        ObjectNode params = Json.mapper().createObjectNode();
        params.put("name", name);
        params.set("arguments", arguments == null ? Json.mapper().createObjectNode() : arguments);
        params.put("timeoutMs", timeout.toMillis());
        return request("tools/call", params, timeout.plusSeconds(5));
    }

    /** Sends a notification (no answer). */
    public void notify(String method, JsonNode params) {
        write(new Message.Notification(method, params));
    }

    /** Requests waiting for their answers. */
    public int pendingRequests() {
        return pending.size();
    }

    private JsonNode await(Waiter w, String method, long deadline, Duration timeout) {
        while (true) {
            synchronized (lock) {
                while (!w.done && broken == null && reading) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw timedOut(method, timeout);
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(lock, left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new ConnectionLostException("interrupted while waiting for " + method);
                    }
                }
                if (w.done) {
                    if (w.error != null) {
                        throw new RpcException(w.error);
                    }
                    return w.result;
                }
                if (broken != null) {
                    throw broken;
                }
                if (deadline - System.nanoTime() <= 0) {
                    throw timedOut(method, timeout);
                }
                reading = true;
            }
            List<Message> got = new ArrayList<>();
            RuntimeException failure = null;
            try {
                readOnce(deadline, got);
            } catch (IOException | RuntimeException e) {
                // Any failure of the read ends this connection for every caller: none may wait for a reader
                // that is gone (the reading turn is handed on in deliver).
                failure = e instanceof ConnectionLostException c
                        ? c
                        : new ConnectionLostException(
                                "the connection to " + settings.endpoint() + " was lost: " + e.getMessage());
            }
            List<Message> requests = deliver(got, failure);
            requests.forEach(this::serve);
        }
    }

    /** Completes the waiters of what was read, hands the reading turn on; the requests the hub sent. */
    private List<Message> deliver(List<Message> got, RuntimeException failure) {
        List<Message> requests = new ArrayList<>();
        List<Message.Notification> notes = new ArrayList<>();
        synchronized (lock) {
            reading = false;
            for (Message m : got) {
                if (m instanceof Message.Response r) {
                    complete(r.id(), r.result(), null);
                } else if (m instanceof Message.ErrorResponse e) {
                    if (e.id() instanceof Id.Null) {
                        log.warn("hub: {}", e.error().message());
                    } else {
                        complete(e.id(), null, e.error());
                    }
                } else if (m instanceof Message.Request) {
                    requests.add(m);
                } else if (m instanceof Message.Notification n) {
                    notes.add(n);
                }
            }
            if (failure != null && broken == null) {
                broken = failure;
                closeQuietly(channel);
            }
            lock.notifyAll();
        }
        for (Message.Notification n : notes) {
            for (BiConsumer<String, JsonNode> l : settings.notificationListeners()) {
                try {
                    l.accept(n.method(), n.params());
                } catch (RuntimeException ex) {
                    log.warn("notification listener failed", ex);
                }
            }
        }
        return requests;
    }

    private void complete(Id id, JsonNode result, RpcError error) {
        if (id instanceof Id.Num n) {
            Waiter w = pending.get(n.value());
            if (w != null && !w.done) {
                w.result = result;
                w.error = error;
                w.done = true;
            }
        }
    }

    /** The hub's liveness {@code ping} is answered; nothing else is served here. */
    private void serve(Message m) {
        Message.Request r = (Message.Request) m;
        try {
            write(
                    r.method().equals("ping")
                            ? new Message.Response(r.id(), Json.mapper().createObjectNode())
                            : new Message.ErrorResponse(
                                    r.id(),
                                    RpcError.of(
                                            ErrorCode.METHOD_NOT_FOUND,
                                            "this client does not serve " + r.method(),
                                            "method_not_found")));
        } catch (ConnectionLostException e) {
            log.debug("cannot answer {}: {}", r.method(), e.getMessage());
        }
    }

    /** One read (waiting at most until {@code deadline}); the messages it completed. */
    private void readOnce(long deadline, List<Message> out) throws IOException {
        int n = channel.read(in);
        if (n == 0) {
            long ms = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            readable.select(ms);
            readable.selectedKeys().clear();
            n = channel.read(in);
        }
        if (n < 0) {
            throw new ConnectionLostException("the hub at " + settings.endpoint() + " closed the connection");
        }
        in.flip();
        decoder.decode(in, (Frame f) -> collect(MessageCodec.parse(f.payload()), out));
        in.compact();
        if (!in.hasRemaining()) {
            // A line longer than the buffer (the decoder stops it at maxMessageBytes).
            ByteBuffer bigger = ByteBuffer.allocate(Math.min(in.capacity() * 2, settings.maxMessageBytes() + 2));
            in.flip();
            bigger.put(in);
            in = bigger;
        }
    }

    private static void collect(Parsed parsed, List<Message> out) {
        if (parsed instanceof Parsed.Valid v) {
            out.add(v.message());
        } else if (parsed instanceof Parsed.Batch b) {
            b.entries().forEach(e -> collect(e, out));
        } else if (parsed instanceof Parsed.Invalid i) {
            log.warn("the hub sent an invalid message: {}", i.error().message());
        }
    }

    private void write(Message m) {
        ByteBuffer buf = ByteBuffer.wrap(FrameEncoding.line(MessageCodec.encode(m)));
        synchronized (writeLock) {
            try {
                while (buf.hasRemaining()) {
                    if (channel.write(buf) == 0) {
                        writable.select(1000);
                        writable.selectedKeys().clear();
                    }
                }
            } catch (IOException | java.nio.channels.ClosedSelectorException e) {
                throw new ConnectionLostException(
                        "the connection to " + settings.endpoint() + " was lost: " + e.getMessage());
            }
        }
    }

    private RpcException timedOut(String method, Duration timeout) {
        var data = Json.mapper().createObjectNode();
        data.put("reason", "timeout");
        data.put("timeoutMs", timeout.toMillis());
        return new RpcException(RpcError.of(
                ErrorCode.TIMEOUT,
                "request " + method + " timed out after " + timeout.toMillis() + " ms (pending=" + pending.size()
                        + ", hub=" + settings.endpoint() + ")",
                data));
    }

    /** Closes the connection; callers still waiting get {@link ConnectionLostException}. */
    @Override
    public void close() {
        synchronized (lock) {
            if (broken == null) {
                broken = new ConnectionLostException("the client is closed");
            }
            lock.notifyAll();
        }
        readable.wakeup();
        writable.wakeup();
        closeQuietly(channel);
        closeQuietly(readable);
        closeQuietly(writable);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.debug("close: {}", e.toString());
        }
    }
}
