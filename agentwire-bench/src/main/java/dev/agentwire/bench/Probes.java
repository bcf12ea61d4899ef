package dev.agentwire.bench;

import dev.agentwire.client.AgentwireClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The registry of what the harness measures: each probe in the order a round runs them (each baseline right
 * beside its subjects), and the figures, each a ratio of two measures of the same round.
 */
final class Probes {

    private Probes() {}

    /** One probe from a name and what it does. */
    private record Simple(String name, Body body) implements Probe {
        @Override
        public List<Measure> run(BenchContext c) throws Exception {
            return body.run(c);
        }
    }

    @FunctionalInterface
    private interface Body {
        List<Measure> run(BenchContext c) throws Exception;
    }

    private static Probe probe(String name, Body body) {
        return new Simple(name, body);
    }

    static List<Probe> all() {
        List<Probe> probes = new ArrayList<>();
        probes.add(probe("c-floor", c -> List.of(Measure.latency("c-floor", cFloor(c, CFloor.Mode.PINGPONG)))));
        probes.add(probe("hub-ping-uds", c -> {
            try (AgentwireClient uds = AgentwireClient.builder()
                    .endpoint(c.hub.endpoint())
                    .reconnect(false)
                    .connect()) {
                return List.of(
                        Measure.latency("hub-ping-uds", HubPing.run(uds, c.sizes.iterations(), c.sizes.warmup())));
            }
        }));
        probes.add(probe("hub-ping-sync", c -> {
            try (var blocking =
                    AgentwireClient.builder().endpoint(c.hub.endpoint()).connectBlocking()) {
                return List.of(Measure.latency(
                        "hub-ping-sync", HubPing.runBlocking(blocking, c.sizes.iterations(), c.sizes.warmup())));
            }
        }));
        probes.add(probe("hub-ping-c", c -> List.of(Measure.latency("hub-ping-c", cFloor(c, CFloor.Mode.CLIENT)))));
        probes.add(probe("hub-ping-tcp", c -> {
            try (AgentwireClient tcp = AgentwireClient.builder()
                    .endpoint("tcp://127.0.0.1:" + c.hub.tcpPort().getAsInt())
                    .token(c.hub.token())
                    .reconnect(false)
                    .connect()) {
                return List.of(
                        Measure.latency("hub-ping-tcp", HubPing.run(tcp, c.sizes.iterations(), c.sizes.warmup())));
            }
        }));
        probes.add(probe(
                "java-nio",
                c -> List.of(Measure.latency(
                        "java-nio",
                        NioPingPong.run(c.dir.resolve("nio.sock"), c.sizes.iterations(), c.sizes.warmup())))));
        probes.add(probe("c-relay", c -> List.of(Measure.latency("c-relay", cFloor(c, CFloor.Mode.RELAY)))));
        probes.add(probe(
                "tool-call-uds",
                c -> List.of(Measure.latency(
                        "tool-call-uds", ToolCallBench.uds(c.hub, c.sizes.iterations(), c.sizes.warmup())))));
        probes.add(probe(
                "tool-call-sync",
                c -> List.of(Measure.latency(
                        "tool-call-sync", ToolCallBench.udsSync(c.hub, c.sizes.iterations(), c.sizes.warmup())))));
        probes.add(probe(
                "tool-call-ws",
                c -> List.of(Measure.latency(
                        "tool-call-ws", ToolCallBench.webSocket(c.hub, c.sizes.iterations(), c.sizes.warmup())))));
        probes.add(probe("relay-codec", c -> {
            long ms = c.sizes.iterations() >= 10_000 ? 500 : 150;
            byte[] small = CodecRelay.answer(1024);
            byte[] large = CodecRelay.answer(64 * 1024);
            return List.of(
                    Measure.rate("relay-codec-full-1k", CodecRelay.full(small, ms)),
                    Measure.rate("relay-codec-kept-1k", CodecRelay.kept(small, ms)),
                    Measure.rate("relay-codec-full-64k", CodecRelay.full(large, ms)),
                    Measure.rate("relay-codec-kept-64k", CodecRelay.kept(large, ms)));
        }));
        probes.add(probe(
                "tool-calls-16",
                c -> List.of(Measure.rate(
                        "tool-calls-16-agents",
                        ToolCallBench.concurrent(c.hub, 16, Math.max(50, c.sizes.iterations() / 4))))));
        probes.add(probe(
                "service-uds",
                c -> List.of(Measure.latency(
                        "service-uds", ServicesBench.udsRoundTrip(c.hub, c.sizes.iterations(), c.sizes.warmup())))));
        probes.add(probe(
                "services-hub",
                c -> services(
                        "services-hub",
                        ServicesBench.thinHubLoad(
                                c.hub, ServicesBench.INSTANCES, ServicesBench.CALLERS, c.sizes.requestsPerCaller()))));
        probes.add(probe("services-redis", c -> {
            Optional<ServicesBench.Load> redis = ServicesBench.thinRedisLoad(
                    c.dir, ServicesBench.INSTANCES, ServicesBench.CALLERS, c.sizes.requestsPerCaller());
            return redis.isEmpty() ? List.of() : services("services-redis", redis.get());
        }));
        probes.add(probe("services-nats", c -> {
            if (c.nats.isEmpty()) {
                return List.of();
            }
            int each = c.sizes.requestsPerCaller();
            var nats = c.nats.get().address();
            // A protocol object per run: it remembers which callers have connected and subscribed.
            ThinLoad.run(
                    nats,
                    new Nats.RequestReply(),
                    ServicesBench.INSTANCES,
                    ServicesBench.CALLERS,
                    Math.max(10, each / 4));
            return services(
                    "services-nats",
                    ThinLoad.run(nats, new Nats.RequestReply(), ServicesBench.INSTANCES, ServicesBench.CALLERS, each));
        }));
        probes.add(probe("rooms-fanout", c -> {
            RoomsBench.rawFanOut(c.hub, RoomsBench.SUBSCRIBERS, Math.max(100, c.sizes.messages() / 4));
            return List.of(Measure.rate(
                    "rooms-fanout", RoomsBench.rawFanOut(c.hub, RoomsBench.SUBSCRIBERS, c.sizes.messages())));
        }));
        probes.add(probe(
                "redis-pubsub",
                c -> RoomsBench.redisFanOut(c.dir, RoomsBench.SUBSCRIBERS, c.sizes.messages())
                        .map(r -> List.of(Measure.rate("redis-pubsub", r)))
                        .orElse(List.of())));
        probes.add(probe(
                "nats-pubsub",
                c -> c.nats.isEmpty()
                        ? List.of()
                        : List.of(Measure.rate(
                                "nats-pubsub", c.nats.get().fanOut(RoomsBench.SUBSCRIBERS, c.sizes.messages())))));
        probes.add(probe("rooms-acked", c -> {
            try (JdbcFloor floor = JdbcFloor.open(c.dir.resolve("jdbc-floor.db"))) {
                DurableBench.Round r = DurableBench.round(c.hub, floor, 16, c.sizes.messages());
                return List.of(
                        Measure.rate("rooms-acked-16", r.hubPerSecond()),
                        Measure.rate("jdbc-floor-16", r.floorPerSecond()));
            }
        }));
        probes.add(probe("terminal", c -> {
            TerminalBench.Result r = TerminalBench.run(c.hub, c.dir, c.sizes.terminalMegabytes());
            return List.of(
                    Measure.rate("terminal-5-viewers", r.hubMegabytesPerSecond() * 1e6),
                    Measure.rate("pty-cat", r.ptyMegabytesPerSecond() * 1e6),
                    Measure.rate("cat", r.catMegabytesPerSecond() * 1e6));
        }));
        probes.add(probe("terminal-mix", c -> {
            TerminalBench.Result r = TerminalBench.runMix(c.hub, c.dir, c.sizes.terminalMegabytes());
            return List.of(
                    Measure.rate("terminal-mix-5-viewers", r.hubMegabytesPerSecond() * 1e6),
                    Measure.rate("pty-cat-mix", r.ptyMegabytesPerSecond() * 1e6));
        }));
        probes.add(probe("aw-status", CommandStart::measure));
        return probes;
    }

    static List<Figure> figures() {
        return List.of(
                Figure.atMost("hub/ping p50, Java client ÷ C floor", "hub-ping-uds", "c-floor", 1.5),
                Figure.atMost("hub/ping p50, C client ÷ C floor", "hub-ping-c", "c-floor", 1.5),
                Figure.atMost("hub/ping p50, blocking client ÷ C floor", "hub-ping-sync", "c-floor", 1.5),
                Figure.atMost("tool call p50 (UDS) ÷ C relay", "tool-call-uds", "c-relay", 1.5),
                Figure.atMost("tool call p50, blocking + I/O thread ÷ C relay", "tool-call-sync", "c-relay", 1.5),
                Figure.atLeast("services 3×50 raw ÷ Redis lists", "services-hub", "services-redis", 2.0),
                Figure.atMost("services 3×50 raw, p99 ms", "services-hub-p99", null, 2.0),
                Figure.atLeast("room fan-out ÷ Redis pub/sub", "rooms-fanout", "redis-pubsub", 2.0),
                Figure.atLeast("room fan-out ÷ nats-server", "rooms-fanout", "nats-pubsub", 1.0),
                Figure.atLeast("terminal to 5 viewers ÷ cat via PTY", "terminal-5-viewers", "pty-cat", 0.5),
                Figure.atLeast("terminal, vtebench-like mix ÷ via PTY", "terminal-mix-5-viewers", "pty-cat-mix", 0.5),
                Figure.atLeast("acked publishes, 16 publishers ÷ plain JDBC", "rooms-acked-16", "jdbc-floor-16", 0.8),
                Figure.atMost("aw status ÷ a JVM printing hi", "aw-status", "jvm-hi", 3.0),
                Figure.info("hub/ping p50, TCP ÷ C floor", "hub-ping-tcp", "c-floor"),
                Figure.info("Java NIO ping-pong ÷ C floor", "java-nio", "c-floor"),
                Figure.info("C relay ÷ C floor", "c-relay", "c-floor"),
                Figure.info("tool call p50 (WebSocket) ÷ C relay", "tool-call-ws", "c-relay"),
                Figure.info(
                        "relayed answers/s, result kept ÷ parsed (1 KiB)",
                        "relay-codec-kept-1k",
                        "relay-codec-full-1k"),
                Figure.info(
                        "relayed answers/s, result kept ÷ parsed (64 KiB)",
                        "relay-codec-kept-64k",
                        "relay-codec-full-64k"),
                Figure.info("services 3×50 raw ÷ nats-server", "services-hub", "services-nats"),
                Figure.info("services 3×50 raw, p99 ÷ Redis lists p99", "services-hub-p99", "services-redis-p99"));
    }

    private static Stats cFloor(BenchContext c, CFloor.Mode mode) throws Exception {
        var target = switch (mode) {
            case PINGPONG -> c.dir.resolve("c.sock");
            case RELAY -> c.dir;
            case CLIENT -> c.hub.config().socketPath();
        };
        return CFloor.run(c.cBinary, mode, target, c.sizes.iterations(), c.sizes.warmup());
    }

    private static List<Measure> services(String name, ServicesBench.Load load) {
        return List.of(
                Measure.rate(name, load.requestsPerSecond()),
                new Measure(name + "-p99", load.p99Nanos(), Measure.Unit.P99_NANOS, null));
    }
}
