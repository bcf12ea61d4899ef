package dev.agentwire.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.netty.NettyTransport;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.netty.channel.EventLoopGroup;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Services under load: a request's round trip over the Unix socket and over HTTP (keep-alive), requests per
 * second with 3 instances and 50 callers, and the same load through Redis lists (the orchestrator seed's
 * baseline) when {@code redis-server} is installed. {@link SplitBench} runs the raw-client load with the servers in
 * their own processes, pinned or not, and shows where its slow requests come from.
 */
final class ServicesBench {

    /** Instances and callers of the load figure (the numbers). */
    static final int INSTANCES = 3;

    static final int CALLERS = 50;

    private ServicesBench() {}

    /** Requests per second and latency percentiles of a load run. */
    record Load(double requestsPerSecond, long p50Nanos, long p99Nanos) {
        /** From every request's latency and the load's total time. */
        static Load of(long[] samples, long totalNanos) {
            Stats s = Stats.of(samples, totalNanos);
            return new Load(s.roundTripsPerSecond(), s.p50Nanos(), s.p99Nanos());
        }

        String describe() {
            return String.format(
                    Locale.ROOT,
                    "%.0f requests/s, p50 %.0f µs, p99 %.0f µs",
                    requestsPerSecond,
                    p50Nanos / 1e3,
                    p99Nanos / 1e3);
        }
    }

    /** The service figures alone: {@code java -cp bench.jar dev.agentwire.bench.ServicesBench [REQUESTS]}. */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "awsvc");
        try (AgentwireHub hub = BenchContext.benchHub(dir)) {
            System.out.println("service request, UDS:  " + describe(udsRoundTrip(hub, n, n)));
            System.out.println("service request, HTTP: " + describe(httpRoundTrip(hub, n, n)));
            load(hub, INSTANCES, CALLERS, Math.max(20, n / CALLERS / 4)); // warm-up
            Load hubLoad = load(hub, INSTANCES, CALLERS, Math.max(20, n / CALLERS));
            System.out.println("hub, " + INSTANCES + " instances, " + CALLERS + " callers: " + hubLoad.describe());
            Optional<Load> redis = redisLoad(dir, INSTANCES, CALLERS, Math.max(20, n / CALLERS));
            redis.ifPresent(r -> System.out.printf(
                    Locale.ROOT,
                    "redis lists (Lettuce clients), same load: %s; ratio %.2f×%n",
                    r.describe(),
                    hubLoad.requestsPerSecond() / r.requestsPerSecond()));
            Load thinHub = thinHubLoad(hub, INSTANCES, CALLERS, Math.max(20, n / CALLERS));
            System.out.println("hub, thin clients: " + thinHub.describe());
            thinRedisLoad(dir, INSTANCES, CALLERS, Math.max(20, n / CALLERS))
                    .ifPresent(r -> System.out.printf(
                            Locale.ROOT,
                            "redis lists, thin clients: %s; ratio %.2f×%n",
                            r.describe(),
                            thinHub.requestsPerSecond() / r.requestsPerSecond()));
        }
    }

    static String describe(Stats s) {
        return String.format(
                Locale.ROOT,
                "p50 %.1f µs, p99 %.1f µs, %.0f round trips/s",
                s.p50Nanos() / 1e3,
                s.p99Nanos() / 1e3,
                s.roundTripsPerSecond());
    }

    private static AgentwireClient echoInstance(AgentwireHub hub, EventLoopGroup group, String service)
            throws Exception {
        AgentwireClient c = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .eventLoopGroup(group)
                .handlerThreads(0) // echo answers at once: on the I/O thread
                .reconnect(false)
                .connect();
        c.services()
                .serve(service, (req, ctx) -> CompletableFuture.completedFuture(req.data()))
                .get(10, TimeUnit.SECONDS);
        return c;
    }

    /** Sequential requests from one caller to one echo instance, both on the Unix socket. */
    static Stats udsRoundTrip(AgentwireHub hub, int iterations, int warmup) throws Exception {
        try (AgentwireClient instance = AgentwireClient.builder()
                        .endpoint(hub.endpoint())
                        .reconnect(false)
                        .connect();
                AgentwireClient caller = AgentwireClient.builder()
                        .endpoint(hub.endpoint())
                        .reconnect(false)
                        .connect()) {
            instance.services()
                    .serve("echo-uds", (req, ctx) -> CompletableFuture.completedFuture(req.data()))
                    .get(10, TimeUnit.SECONDS);
            JsonNode data = Json.mapper().readTree("{\"n\":1}");
            for (int i = 0; i < warmup; i++) {
                caller.services().request("echo-uds", "x", data).get(10, TimeUnit.SECONDS);
            }
            long[] samples = new long[iterations];
            long start = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                long t0 = System.nanoTime();
                caller.services().request("echo-uds", "x", data).get(10, TimeUnit.SECONDS);
                samples[i] = System.nanoTime() - t0;
            }
            return Stats.of(samples, System.nanoTime() - start);
        }
    }

    /** Sequential {@code POST /api/services/echo-http/x} on one keep-alive HTTP connection. */
    static Stats httpRoundTrip(AgentwireHub hub, int iterations, int warmup) throws Exception {
        try (AgentwireClient instance = AgentwireClient.builder()
                        .endpoint(hub.endpoint())
                        .reconnect(false)
                        .connect();
                Socket s = new Socket()) {
            instance.services()
                    .serve("echo-http", (req, ctx) -> CompletableFuture.completedFuture(req.data()))
                    .get(10, TimeUnit.SECONDS);
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress("127.0.0.1", hub.tcpPort().getAsInt()), 5000);
            byte[] body = "{\"n\":1}".getBytes(StandardCharsets.UTF_8);
            byte[] request = ("POST /api/services/echo-http/x HTTP/1.1\r\nHost: 127.0.0.1:"
                            + hub.tcpPort().getAsInt()
                            + "\r\nAuthorization: Bearer "
                            + hub.token() + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                            + "\r\n\r\n" + new String(body, StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.UTF_8);
            OutputStream out = s.getOutputStream();
            InputStream in = new BufferedInputStream(s.getInputStream());
            for (int i = 0; i < warmup; i++) {
                exchange(out, in, request);
            }
            long[] samples = new long[iterations];
            long start = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                long t0 = System.nanoTime();
                exchange(out, in, request);
                samples[i] = System.nanoTime() - t0;
            }
            return Stats.of(samples, System.nanoTime() - start);
        }
    }

    /** Writes one request and reads its response (status 200 and a Content-Length body). */
    private static void exchange(OutputStream out, InputStream in, byte[] request) throws IOException {
        out.write(request);
        out.flush();
        StringBuilder head = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            head.append((char) b);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        String h = head.toString();
        if (!h.startsWith("HTTP/1.1 200")) {
            throw new IOException("the hub answered: " + h.lines().findFirst().orElse("nothing"));
        }
        int at = h.toLowerCase(Locale.ROOT).indexOf("content-length:");
        int length =
                Integer.parseInt(h.substring(at + 15, h.indexOf("\r\n", at)).trim());
        in.readNBytes(length);
    }

    /**
     * {@code callers} callers (own connections, two shared event-loop threads), each sending {@code each}
     * requests one after the other, to {@code instances} echo instances.
     */
    static Load load(AgentwireHub hub, int instances, int callers, int each) throws Exception {
        EventLoopGroup group = NettyTransport.detect().newGroup(2, "bench-services");
        List<AgentwireClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < instances; i++) {
                clients.add(echoInstance(hub, group, "echo-load"));
            }
            List<AgentwireClient> callerClients = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                AgentwireClient c = AgentwireClient.builder()
                        .endpoint(hub.endpoint())
                        .eventLoopGroup(group)
                        .handlerThreads(1)
                        .reconnect(false)
                        .connect();
                clients.add(c);
                callerClients.add(c);
            }
            JsonNode data = Json.mapper().readTree("{\"n\":1}");
            return run(callers, each, i -> callerClients.get(i).services().request("echo-load", "x", data));
        } finally {
            clients.forEach(AgentwireClient::close);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** One caller's next request, asynchronous: a caller is a stream of requests, one in flight at a time. */
    @FunctionalInterface
    interface Call {
        CompletableFuture<?> send(int caller);
    }

    /**
     * Runs {@code callers} callers of {@code each} requests, each caller sending its next request when the last
     * is answered (no thread per caller: the answer's callback sends the next); the rate and the latency
     * percentiles over all requests.
     */
    private static Load run(int callers, int each, Call call) throws Exception {
        long[][] samples = new long[callers][each];
        CompletableFuture<?>[] done = new CompletableFuture<?>[callers];
        long start = System.nanoTime();
        for (int c = 0; c < callers; c++) {
            CompletableFuture<Void> finished = new CompletableFuture<>();
            done[c] = finished;
            next(call, c, 0, each, samples[c], finished);
        }
        CompletableFuture.allOf(done).get(5, TimeUnit.MINUTES);
        long total = System.nanoTime() - start;
        long[] all = new long[callers * each];
        for (int c = 0; c < callers; c++) {
            System.arraycopy(samples[c], 0, all, c * each, each);
        }
        return Load.of(all, total);
    }

    private static void next(Call call, int caller, int i, int each, long[] samples, CompletableFuture<Void> finished) {
        if (i == each) {
            finished.complete(null);
            return;
        }
        long t0 = System.nanoTime();
        call.send(caller).whenComplete((r, e) -> {
            if (e != null) {
                finished.completeExceptionally(e);
                return;
            }
            samples[i] = System.nanoTime() - t0;
            next(call, caller, i + 1, each, samples, finished);
        });
    }

    /** The load with thin clients (raw sockets, see {@link ThinLoad}) against the hub. */
    static Load thinHubLoad(AgentwireHub hub, int instances, int callers, int each) throws Exception {
        ThinLoad.Hub protocol = new ThinLoad.Hub("echo-thin");
        ThinLoad.run(hub.config().socketPath(), protocol, instances, callers, Math.max(10, each / 4)); // warm-up
        return ThinLoad.run(hub.config().socketPath(), protocol, instances, callers, each);
    }

    /** The same thin load against Redis lists (the seed's baseline): the two differ only in the server. */
    static Optional<Load> thinRedisLoad(Path dir, int instances, int callers, int each) throws Exception {
        Optional<Process> server = startRedis(dir.resolve("redis-thin.sock"), dir);
        if (server.isEmpty()) {
            return Optional.empty();
        }
        try {
            ThinLoad.Redis protocol = new ThinLoad.Redis();
            Path sock = dir.resolve("redis-thin.sock");
            ThinLoad.run(sock, protocol, instances, callers, Math.max(10, each / 4)); // warm-up
            return Optional.of(ThinLoad.run(sock, protocol, instances, callers, each));
        } finally {
            server.get().destroyForcibly();
            server.get().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** {@code redis-server} on a Unix socket without persistence, once it listens; empty if not installed. */
    private static boolean accepts(Path sock) {
        if (!Files.exists(sock)) {
            return false;
        }
        try (var ch = ThinLoad.connect(sock)) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    static Optional<Process> startRedis(Path sock, Path dir) throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/redis-server"))) {
            return Optional.empty();
        }
        Files.deleteIfExists(sock); // a previous round's: waiting for the file must wait for this server
        Process server = new ProcessBuilder(
                        "/usr/bin/redis-server",
                        "--port",
                        "0",
                        "--unixsocket",
                        sock.toString(),
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--dir",
                        dir.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectErrorStream(true)
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        // Redis binds the socket file before it listens on it: a connect in between is refused. Ready is when one
        // is taken.
        while (!accepts(sock)) {
            if (!server.isAlive() || System.nanoTime() > deadline) {
                server.destroyForcibly();
                throw new IllegalStateException("redis-server did not start on " + sock);
            }
            Thread.sleep(10);
        }
        return Optional.of(server);
    }

    /**
     * The seed's Redis baseline with the same load: each caller {@code LPUSH}es {@code callerId|payload} onto a
     * request list and {@code BRPOP}s its own reply list; {@code instances} servers {@code BRPOP} the request
     * list and {@code LPUSH} the payload onto the caller's reply list. Lettuce clients over a Unix socket.
     */
    static Optional<Load> redisLoad(Path dir, int instances, int callers, int each) throws Exception {
        Path sock = dir.resolve("redis-services.sock");
        Optional<Process> started = startRedis(sock, dir);
        if (started.isEmpty()) {
            return Optional.empty();
        }
        Process server = started.get();
        RedisClient redis = RedisClient.create();
        // Keep-alive options are TCP's; on a Unix socket Netty would only warn about them.
        redis.setOptions(io.lettuce.core.ClientOptions.builder()
                .socketOptions(
                        io.lettuce.core.SocketOptions.builder().keepAlive(false).build())
                .build());
        List<StatefulRedisConnection<String, String>> connections = new ArrayList<>();
        List<Thread> servers = new ArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        try {
            RedisURI uri = RedisURI.Builder.socket(sock.toString()).build();
            for (int i = 0; i < instances; i++) {
                StatefulRedisConnection<String, String> conn = redis.connect(uri);
                connections.add(conn);
                RedisCommands<String, String> cmd = conn.sync();
                Thread t = new Thread(() -> {
                    while (running.get()) {
                        KeyValue<String, String> req = cmd.brpop(1, "svc:requests");
                        if (req == null) {
                            continue;
                        }
                        String v = req.getValue();
                        int bar = v.indexOf('|');
                        cmd.lpush("svc:reply:" + v.substring(0, bar), v.substring(bar + 1));
                    }
                });
                servers.add(t);
                t.start();
            }
            List<RedisAsyncCommands<String, String>> callerCommands = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                StatefulRedisConnection<String, String> conn = redis.connect(uri);
                connections.add(conn);
                callerCommands.add(conn.async());
            }
            Call call = caller -> {
                RedisAsyncCommands<String, String> cmd = callerCommands.get(caller);
                cmd.lpush("svc:requests", caller + "|{\"n\":1}");
                return cmd.brpop(30, "svc:reply:" + caller)
                        .toCompletableFuture()
                        .thenApply(reply -> {
                            if (reply == null) {
                                throw new IllegalStateException("no reply from the Redis servers in 30 s");
                            }
                            return reply;
                        });
            };
            run(callers, Math.max(10, each / 4), call); // warm-up
            return Optional.of(run(callers, each, call));
        } finally {
            running.set(false);
            for (Thread t : servers) {
                t.join(5000);
            }
            connections.forEach(StatefulRedisConnection::close);
            redis.shutdown(0, 2, TimeUnit.SECONDS);
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
