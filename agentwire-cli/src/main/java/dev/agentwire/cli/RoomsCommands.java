package dev.agentwire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aw rooms}, {@code aw send}, {@code aw tail}, {@code aw history}. */
final class RoomsCommands {

    private RoomsCommands() {}

    /** One message as a line: {@code [offset] from: text}, or its JSON with --json. */
    static String line(JsonNode m, boolean json) {
        if (json) {
            return m.toString();
        }
        String body = m.has("text") ? m.path("text").asText() : m.path("data").toString();
        return "[" + m.path("offset").asLong() + "] " + m.path("from").asText() + ": " + body;
    }

    @Command(name = "rooms", mixinStandardHelpOptions = true, description = "List the hub's rooms.")
    static final class List extends HubCall {
        @Override
        Ask prepare() {
            return hub -> hub.rooms().list().get();
        }

        @Override
        void printText(PrintWriter out, JsonNode rooms) {
            out.printf("%-28s %10s %8s%n", "ROOM", "OFFSET", "MEMBERS");
            for (JsonNode r : rooms.path("rooms")) {
                out.printf(
                        "%-28s %10d %8d%n",
                        r.path("room").asText(),
                        r.path("offset").asLong(),
                        r.path("members").asInt());
            }
        }
    }

    @Command(
            name = "send",
            mixinStandardHelpOptions = true,
            description = "Publish TEXT to ROOM; prints the ack once it is durable.")
    static final class Send extends HubCall {
        @Parameters(index = "0", paramLabel = "ROOM")
        String room;

        @Parameters(index = "1", paramLabel = "TEXT")
        String text;

        @Option(
                names = "--retries",
                paramLabel = "N",
                defaultValue = "3",
                description =
                        "resend this many times if the connection drops before the ack (default: ${DEFAULT-VALUE})")
        int retries;

        @Override
        Ask prepare() {
            return hub -> hub.rooms().publish(room, text, null, retries).get();
        }

        @Override
        void printJson(PrintWriter out, JsonNode ack) {
            out.println(ack.toString());
        }

        @Override
        void printText(PrintWriter out, JsonNode ack) {
            out.println("sent to " + room + " at offset " + ack.path("offset").asLong());
        }
    }

    @Command(
            name = "tail",
            mixinStandardHelpOptions = true,
            description = "Print ROOM's messages as they arrive, until Ctrl-C.")
    static final class Tail implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "ROOM")
        String room;

        @Option(names = "--since", paramLabel = "OFFSET", description = "first print every message after OFFSET")
        Long since;

        @Option(
                names = "--history",
                paramLabel = "N",
                defaultValue = "0",
                description = "first print the last N messages")
        int history;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try (AgentwireClient c = client.connect("aw-tail")) {
                if (since != null) {
                    JsonNode state = c.rooms().history(room, 1).get();
                    ObjectNode params = Json.mapper().createObjectNode().put("room", room);
                    JsonNode missed = c.request(
                                    "rooms/history", params.put("after", since).put("limit", 10_000))
                            .get();
                    missed.path("messages").forEach(m -> out.println(line(m, client.json)));
                    out.flush();
                    if (state.path("firstOffset").asLong() > since + 1) {
                        spec.commandLine()
                                .getErr()
                                .println("aw tail: messages up to offset "
                                        + (state.path("firstOffset").asLong() - 1) + " are no longer kept");
                    }
                }
                CountDownLatch closed = new CountDownLatch(1);
                c.addConnectionListener((event, cl) -> {
                    if (event == dev.agentwire.client.ConnectionEvent.DISCONNECTED) {
                        closed.countDown();
                    }
                });
                c.rooms()
                        .join(room, since != null ? 0 : history, m -> {
                            out.println(line(m, client.json));
                            out.flush();
                        })
                        .get();
                closed.await();
                return ExitCodes.NO_HUB;
            }
        }
    }

    @Command(name = "history", mixinStandardHelpOptions = true, description = "Print ROOM's recent messages.")
    static final class History extends HubCall {
        @Parameters(index = "0", paramLabel = "ROOM")
        String room;

        @Option(
                names = {"-n", "--limit"},
                paramLabel = "N",
                defaultValue = "20",
                description = "how many (default: ${DEFAULT-VALUE}, at most 10000)")
        int limit;

        @Override
        Ask prepare() {
            return hub -> hub.rooms().history(room, limit).get();
        }

        /** Each message's JSON on a line of its own, as {@code aw tail --json} prints them. */
        @Override
        void printJson(PrintWriter out, JsonNode h) {
            h.path("messages").forEach(m -> out.println(line(m, true)));
        }

        @Override
        void printText(PrintWriter out, JsonNode h) {
            h.path("messages").forEach(m -> out.println(line(m, false)));
        }
    }
}
