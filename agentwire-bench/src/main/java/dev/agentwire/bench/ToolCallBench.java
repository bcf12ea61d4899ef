package dev.agentwire.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.BlockingClient;
import dev.agentwire.client.ToolSpec;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Tool calls through the real hub: agent → hub → provider → hub → agent. Over UDS with the Java client on
 * both ends; over WebSocket with the JDK's WebSocket client on both ends (as a browser tab would be); and the
 * throughput of 16 concurrent UDS agents against one provider.
 */
final class ToolCallBench {

    private ToolCallBench() {}

    private static final ObjectNode ARGS = Json.mapper().createObjectNode().put("text", "ping");

    /** Registers an echo tool on a UDS provider. */
    static AgentwireClient udsProvider(AgentwireHub hub) throws Exception {
        AgentwireClient provider = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .name("bench-provider")
                .handlerThreads(4)
                .reconnect(false)
                .connect();
        provider.tools()
                .register(ToolSpec.of("echo", "echoes"), (a, ctx) -> CompletableFuture.completedFuture(a))
                .get(10, TimeUnit.SECONDS);
        return provider;
    }

    static Stats uds(AgentwireHub hub, int iterations, int warmup) throws Exception {
        try (AgentwireClient provider = udsProvider(hub);
                AgentwireClient agent = AgentwireClient.builder()
                        .endpoint(hub.endpoint())
                        .reconnect(false)
                        .connect()) {
            for (int i = 0; i < warmup; i++) {
                agent.tools().call("echo", ARGS).get(10, TimeUnit.SECONDS);
            }
            long[] samples = new long[iterations];
            long start = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                long t0 = System.nanoTime();
                agent.tools().call("echo", ARGS).get(10, TimeUnit.SECONDS);
                samples[i] = System.nanoTime() - t0;
            }
            return Stats.of(samples, System.nanoTime() - start);
        }
    }

    /**
     * The fast path for blocking callers: the agent is a {@link BlockingClient} (the call is written and its
     * answer read on the calling thread) and the provider's echo runs on its I/O thread
     * ({@link dev.agentwire.client.Tools#registerOnIoThread}).
     */
    static Stats udsSync(AgentwireHub hub, int iterations, int warmup) throws Exception {
        try (AgentwireClient provider = AgentwireClient.builder()
                        .endpoint(hub.endpoint())
                        .name("bench-io-provider")
                        .reconnect(false)
                        .connect();
                BlockingClient agent =
                        AgentwireClient.builder().endpoint(hub.endpoint()).connectBlocking()) {
            provider.tools()
                    .registerOnIoThread(
                            ToolSpec.of("io-echo", "echoes"), (a, ctx) -> CompletableFuture.completedFuture(a))
                    .get(10, TimeUnit.SECONDS);
            for (int i = 0; i < warmup; i++) {
                agent.callTool("io-echo", ARGS);
            }
            long[] samples = new long[iterations];
            long start = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                long t0 = System.nanoTime();
                agent.callTool("io-echo", ARGS);
                samples[i] = System.nanoTime() - t0;
            }
            return Stats.of(samples, System.nanoTime() - start);
        }
    }

    /** Calls per second with {@code agents} UDS agents each making {@code perAgent} sequential calls. */
    static double concurrent(AgentwireHub hub, int agents, int perAgent) throws Exception {
        try (AgentwireClient provider = udsProvider(hub)) {
            List<AgentwireClient> clients = new ArrayList<>();
            for (int i = 0; i < agents; i++) {
                clients.add(AgentwireClient.builder()
                        .endpoint(hub.endpoint())
                        .reconnect(false)
                        .connect());
            }
            try {
                for (AgentwireClient c : clients) {
                    for (int i = 0; i < 200; i++) {
                        c.tools().call("echo", ARGS).get(10, TimeUnit.SECONDS);
                    }
                }
                CountDownLatch done = new CountDownLatch(agents);
                AtomicReference<Throwable> failure = new AtomicReference<>();
                long start = System.nanoTime();
                for (AgentwireClient c : clients) {
                    Thread t = new Thread(() -> {
                        try {
                            for (int i = 0; i < perAgent; i++) {
                                c.tools().call("echo", ARGS).get(30, TimeUnit.SECONDS);
                            }
                        } catch (Exception e) {
                            failure.set(e);
                        } finally {
                            done.countDown();
                        }
                    });
                    t.start();
                }
                done.await();
                long total = System.nanoTime() - start;
                if (failure.get() != null) {
                    throw new IllegalStateException("a concurrent call failed", failure.get());
                }
                return (double) agents * perAgent * 1e9 / total;
            } finally {
                clients.forEach(AgentwireClient::close);
            }
        }
    }

    /** A JSON-RPC peer on the hub's WebSocket: answers tools/call with its arguments, completes its own requests. */
    static final class WsPeer implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();
        private final AtomicLong ids = new AtomicLong();
        private volatile CompletableFuture<JsonNode> waiting;
        WebSocket socket;

        static WsPeer open(AgentwireHub hub) {
            WsPeer p = new WsPeer();
            p.socket = HttpClient.newHttpClient()
                    .newWebSocketBuilder()
                    .buildAsync(
                            URI.create("ws://127.0.0.1:" + hub.tcpPort().getAsInt() + "/ws?token=" + hub.token()), p)
                    .join();
            return p;
        }

        /** Sends one request and waits for its answer (one at a time). */
        JsonNode call(String method, JsonNode params) throws Exception {
            CompletableFuture<JsonNode> f = new CompletableFuture<>();
            waiting = f;
            ObjectNode m =
                    Json.mapper().createObjectNode().put("jsonrpc", "2.0").put("id", ids.incrementAndGet());
            m.put("method", method).set("params", params);
            send(m.toString());
            JsonNode r = f.get(10, TimeUnit.SECONDS);
            if (r.has("error")) {
                throw new IllegalStateException(method + " failed: " + r.get("error"));
            }
            return r.get("result");
        }

        private synchronized void send(String json) {
            socket.sendText(json, true).join();
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String s = text.toString();
                text.setLength(0);
                try {
                    JsonNode m = Json.mapper().readTree(s);
                    if (m.has("method") && m.has("id")) {
                        ObjectNode reply = Json.mapper().createObjectNode().put("jsonrpc", "2.0");
                        reply.set("id", m.get("id"));
                        reply.set("result", m.path("params").path("arguments"));
                        send(reply.toString());
                    } else if (m.has("id") && waiting != null) {
                        waiting.complete(m);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            ws.request(1);
            return null;
        }
    }

    static Stats webSocket(AgentwireHub hub, int iterations, int warmup) throws Exception {
        WsPeer provider = WsPeer.open(hub);
        WsPeer agent = WsPeer.open(hub);
        try {
            ObjectNode reg = Json.mapper().createObjectNode();
            reg.putArray("tools").add(ToolSpec.of("ws-echo", "echoes").toJson());
            provider.call("tools/register", reg);
            ObjectNode params = Json.mapper().createObjectNode().put("name", "ws-echo");
            params.set("arguments", ARGS);
            for (int i = 0; i < warmup; i++) {
                agent.call("tools/call", params);
            }
            long[] samples = new long[iterations];
            long start = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                long t0 = System.nanoTime();
                agent.call("tools/call", params);
                samples[i] = System.nanoTime() - t0;
            }
            return Stats.of(samples, System.nanoTime() - start);
        } finally {
            provider.socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
            agent.socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
        }
    }
}
