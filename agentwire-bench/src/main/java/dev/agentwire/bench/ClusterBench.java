package dev.agentwire.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The cluster's tool call against a local one, in one run: two hubs on one {@code redis-server} (loopback, no
 * persistence), a provider on hub A; an agent on hub A (local) and an agent on hub B (across hubs, through Redis
 * pub/sub) call its echo tool in alternating rounds. Prints each round's p50s and the median of the per-round
 * ratios with their min and max.
 *
 * <p>With {@code --publishes N}: acknowledged room publishes per second through hub A ({@code --publishers K}
 * clients, default 1, each with 64 in flight)
 * against {@code redis-benchmark} running the same publish script on the same Redis with 50 connections (what Redis
 * alone can do), in alternating rounds.
 *
 * <p>With {@code --fanout N}: a publisher on hub A sends N room messages (64 in flight) and 100 members, 50 on hub
 * B and 50 on hub C, receive them; deliveries per second against Redis pub/sub alone (one Lettuce connection
 * publishing the same payloads, 100 Lettuce subscriber connections), in alternating rounds.
 *
 * <pre>java -cp agentwire-bench/target/bench.jar dev.agentwire.bench.ClusterBench [--rounds 5] [--calls 2000]
 *     [--publishes 20000] [--fanout 2000]</pre>
 */
public final class ClusterBench {

    private static final ObjectNode ARGS = Json.mapper().createObjectNode().put("text", "ping");

    private ClusterBench() {}

    public static void main(String[] args) throws Exception {
        int rounds = 5;
        int calls = 2000;
        int publishes = 0;
        int fanout = 0;
        int publisherCount = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--calls" -> calls = Integer.parseInt(args[++i]);
                case "--publishes" -> publishes = Integer.parseInt(args[++i]);
                case "--fanout" -> fanout = Integer.parseInt(args[++i]);
                case "--publishers" -> publisherCount = Integer.parseInt(args[++i]);
                default ->
                    throw new IllegalArgumentException("usage: ClusterBench [--rounds N] [--calls N] [--publishes N]");
            }
        }
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "awcb");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process redis = new ProcessBuilder(
                        "/usr/bin/redis-server",
                        "--port",
                        Integer.toString(port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--dir",
                        dir.toString())
                .redirectOutput(dir.resolve("redis.log").toFile())
                .redirectErrorStream(true)
                .start();
        awaitListening(port);
        String uri = "redis://127.0.0.1:" + port;
        try (AgentwireHub a = hub(dir.resolve("a"), uri, "bench-a");
                AgentwireHub b = hub(dir.resolve("b"), uri, "bench-b");
                AgentwireClient provider = ToolCallBench.udsProvider(a);
                AgentwireClient local = client(a);
                AgentwireClient remote = client(b)) {
            // Until hub B sees the tool, then warm both paths.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!remote.tools()
                    .list(null)
                    .get(10, TimeUnit.SECONDS)
                    .toString()
                    .contains("\"echo\"")) {
                if (System.nanoTime() > until) {
                    throw new IllegalStateException("hub B never saw the tool");
                }
                Thread.sleep(50);
            }
            if (publishes > 0) {
                List<AgentwireClient> publishers = new ArrayList<>(List.of(local));
                for (int i = 1; i < publisherCount; i++) {
                    publishers.add(client(a));
                }
                try {
                    publishRounds(publishers, port, rounds, publishes);
                } finally {
                    publishers.subList(1, publishers.size()).forEach(AgentwireClient::close);
                }
                return;
            }
            if (fanout > 0) {
                try (AgentwireHub c = hub(dir.resolve("c"), uri, "bench-c")) {
                    fanoutRounds(local, b, c, uri, rounds, fanout);
                }
                return;
            }
            measure(local, calls);
            measure(remote, calls);
            double[] ratios = new double[rounds];
            System.out.printf("%-6s %14s %14s %8s%n", "round", "local p50 µs", "cross p50 µs", "ratio");
            for (int r = 0; r < rounds; r++) {
                long l = measure(local, calls);
                long c = measure(remote, calls);
                ratios[r] = (double) c / l;
                System.out.printf("%-6d %14.1f %14.1f %7.2f×%n", r + 1, l / 1e3, c / 1e3, ratios[r]);
            }
            Arrays.sort(ratios);
            System.out.printf(
                    "cross-hub tool call p50 ÷ local: median %.2f× (min %.2f×, max %.2f×) over %d rounds of %d calls;"
                            + " goal ≤ 2×%n",
                    ratios[rounds / 2], ratios[0], ratios[rounds - 1], rounds, calls);
        } finally {
            redis.destroyForcibly().waitFor();
        }
    }

    private static AgentwireHub hub(Path home, String redis, String id) {
        return AgentwireHub.builder()
                .home(home)
                .set("clientPort", "-1")
                .set("cluster.redis", redis)
                .set("cluster.hubId", id)
                .set("limits.ratePerSecond", "0")
                .set("rooms.publishesPerMinute", "0")
                .build()
                .start();
    }

    private static AgentwireClient client(AgentwireHub hub) {
        return AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect();
    }

    /** The p50 of {@code calls} sequential calls, in ns. */
    private static long measure(AgentwireClient agent, int calls) throws Exception {
        List<Long> samples = new ArrayList<>(calls);
        for (int i = 0; i < calls; i++) {
            long t0 = System.nanoTime();
            agent.tools().call("echo", ARGS).get(10, TimeUnit.SECONDS);
            samples.add(System.nanoTime() - t0);
        }
        samples.sort(null);
        return samples.get((samples.size() - 1) / 2);
    }

    /** Acked publishes/s through the hub against redis-benchmark driving the same script, alternating. */
    private static void publishRounds(List<AgentwireClient> clients, int port, int rounds, int n) throws Exception {
        String sha = loadPublishScript(port);
        hubPublishes(clients, n / 4);
        scriptPublishes(port, sha, n / 4);
        double[] ratios = new double[rounds];
        System.out.printf("%-6s %16s %16s %8s%n", "round", "hub acked/s", "script alone/s", "ratio");
        for (int r = 0; r < rounds; r++) {
            double hub = hubPublishes(clients, n);
            double alone = scriptPublishes(port, sha, n);
            ratios[r] = hub / alone;
            System.out.printf("%-6d %16.0f %16.0f %7.2f×%n", r + 1, hub, alone, ratios[r]);
        }
        Arrays.sort(ratios);
        System.out.printf(
                "acked cluster publishes/s ÷ the publish script under redis-benchmark: median %.2f× (min %.2f×,"
                        + " max %.2f×) over %d rounds of %d; goal ≥ 0.7×%n",
                ratios[rounds / 2], ratios[0], ratios[rounds - 1], rounds, n);
    }

    private static final int MEMBERS = 100;
    private static final String PAYLOAD = "a message of about sixty bytes for the fan-out bench, padded";

    /** Deliveries/s to 100 members on hubs B and C of what hub A's publisher sends, against Redis pub/sub alone. */
    private static void fanoutRounds(
            AgentwireClient publisher, AgentwireHub b, AgentwireHub c, String uri, int rounds, int n) throws Exception {
        java.util.concurrent.atomic.AtomicLong heard = new java.util.concurrent.atomic.AtomicLong();
        List<AgentwireClient> members = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++) {
            AgentwireClient m = client(i % 2 == 0 ? b : c);
            m.rooms().join("fanout", x -> heard.incrementAndGet()).get(30, TimeUnit.SECONDS);
            members.add(m);
        }
        io.lettuce.core.RedisClient redis = io.lettuce.core.RedisClient.create(uri);
        List<io.lettuce.core.pubsub.StatefulRedisPubSubConnection<String, String>> subs = new ArrayList<>();
        java.util.concurrent.atomic.AtomicLong heardAlone = new java.util.concurrent.atomic.AtomicLong();
        try (var pub = redis.connect()) {
            for (int i = 0; i < MEMBERS; i++) {
                var sub = redis.connectPubSub();
                sub.addListener(new io.lettuce.core.pubsub.RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        heardAlone.incrementAndGet();
                    }
                });
                sub.sync().subscribe("fanout-alone");
                subs.add(sub);
            }
            hubFanout(publisher, heard, n / 4);
            redisFanout(pub, heardAlone, n / 4);
            double[] ratios = new double[rounds];
            System.out.printf("%-6s %18s %18s %8s%n", "round", "cluster deliv./s", "pub/sub deliv./s", "ratio");
            for (int r = 0; r < rounds; r++) {
                double hub = hubFanout(publisher, heard, n);
                double alone = redisFanout(pub, heardAlone, n);
                ratios[r] = hub / alone;
                System.out.printf("%-6d %18.0f %18.0f %7.2f×%n", r + 1, hub, alone, ratios[r]);
            }
            Arrays.sort(ratios);
            System.out.printf(
                    "cross-hub fan-out deliveries/s ÷ Redis pub/sub alone (%d members): median %.2f× (min %.2f×,"
                            + " max %.2f×) over %d rounds of %d messages; goal ≥ 0.8×%n",
                    MEMBERS, ratios[rounds / 2], ratios[0], ratios[rounds - 1], rounds, n);
        } finally {
            subs.forEach(io.lettuce.core.pubsub.StatefulRedisPubSubConnection::close);
            redis.shutdown();
            members.forEach(AgentwireClient::close);
        }
    }

    private static double hubFanout(AgentwireClient publisher, java.util.concurrent.atomic.AtomicLong heard, int n)
            throws Exception {
        long start = heard.get();
        long want = start + (long) n * MEMBERS;
        java.util.concurrent.atomic.AtomicReference<Throwable> failure =
                new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(64);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            window.acquire();
            publisher.rooms().publish("fanout", PAYLOAD, null).whenComplete((r, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                }
                window.release();
            });
        }
        awaitCount(heard, want, failure);
        return (double) n * MEMBERS / ((System.nanoTime() - t0) / 1e9);
    }

    private static double redisFanout(
            io.lettuce.core.api.StatefulRedisConnection<String, String> pub,
            java.util.concurrent.atomic.AtomicLong heard,
            int n)
            throws Exception {
        long want = heard.get() + (long) n * MEMBERS;
        java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(64);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            window.acquire();
            pub.async().publish("fanout-alone", PAYLOAD).whenComplete((r, e) -> window.release());
        }
        awaitCount(heard, want, new java.util.concurrent.atomic.AtomicReference<>());
        return (double) n * MEMBERS / ((System.nanoTime() - t0) / 1e9);
    }

    private static void awaitCount(
            java.util.concurrent.atomic.AtomicLong count,
            long want,
            java.util.concurrent.atomic.AtomicReference<Throwable> failure)
            throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (count.get() < want) {
            if (failure.get() != null) {
                throw new IllegalStateException(
                        "a publish failed: " + failure.get().getMessage(), failure.get());
            }
            if (System.nanoTime() > until) {
                throw new IllegalStateException("only " + count.get() + " of " + want + " deliveries");
            }
            Thread.sleep(1);
        }
    }

    /** Acknowledged publishes/s of {@code n} spread over {@code clients}, each with 64 in flight. */
    private static double hubPublishes(List<AgentwireClient> clients, int n) throws Exception {
        java.util.concurrent.atomic.AtomicLong failed = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(n);
        List<Thread> senders = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int c = 0; c < clients.size(); c++) {
            AgentwireClient client = clients.get(c);
            int share = n / clients.size() + (c < n % clients.size() ? 1 : 0);
            Thread t = new Thread(() -> {
                java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(64);
                for (int i = 0; i < share; i++) {
                    window.acquireUninterruptibly();
                    client.rooms()
                            .publish("bench-hub", "a message of about sixty bytes for the bench " + i, null)
                            .whenComplete((r, e) -> {
                                if (e != null) {
                                    failed.incrementAndGet();
                                }
                                window.release();
                                done.countDown();
                            });
                }
            });
            t.start();
            senders.add(t);
        }
        for (Thread t : senders) {
            t.join();
        }
        if (!done.await(300, TimeUnit.SECONDS)) {
            throw new IllegalStateException("publishes did not finish");
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " publishes failed: only acknowledged ones count");
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    private static String loadPublishScript(int port) throws Exception {
        String lua;
        try (var in = ClusterBench.class.getResourceAsStream("/dev/agentwire/server/cluster/publish.lua")) {
            lua = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        return run("/usr/bin/redis-cli", "-p", Integer.toString(port), "SCRIPT", "LOAD", lua)
                .strip();
    }

    /** redis-benchmark's requests/s for the publish script with the arguments a hub sends. */
    private static double scriptPublishes(int port, String sha, int n) throws Exception {
        String out = run(
                "/usr/bin/redis-benchmark",
                "-p",
                Integer.toString(port),
                "-c",
                "50",
                "-n",
                Integer.toString(n),
                "-q",
                "EVALSHA",
                sha,
                "3",
                "agentwire:{room:bench-alone}:meta",
                "agentwire:{room:bench-alone}:stream",
                "agentwire:{room:bench-alone}:meta",
                "12345",
                "10000",
                "agentwire:{room:bench-alone}:live",
                "bench-a",
                "{\"id\":\"0b6c3c1e-8d7e-4f7e-9f1a-2b3c4d5e6f70\",\"from\":\"uid:1000\","
                        + "\"text\":\"a message of about sixty bytes for the bench 1\",\"ts\":1764000000000}",
                "1764000000000",
                "0b6c3c1e-8d7e-4f7e-9f1a-2b3c4d5e6f70",
                "");
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("([0-9.]+) requests per second").matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("redis-benchmark said: " + out);
        }
        return Double.parseDouble(m.group(1));
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command[0]) + " failed: " + out);
        }
        return out;
    }

    private static void awaitListening(int port) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                if (System.nanoTime() > until) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }
}
