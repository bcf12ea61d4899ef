package dev.agentwire.cli;

import static dev.agentwire.cli.AwRunner.aw;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Rooms from the command line, and durability across a hub killed with SIGKILL. */
class RoomCommandsTest {

    /** Starts {@code aw hub} as its own process and waits for it to listen. */
    private static Process startHub(Path home) throws Exception {
        Process p = new ProcessBuilder(AwRunner.processCommand(
                        "hub",
                        "--home",
                        home.toString(),
                        "--port",
                        "0",
                        "--set",
                        "rooms.publishesPerMinute=0",
                        "--set",
                        "limits.ratePerSecond=0"))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String first = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertThat(first).startsWith("agentwire hub listening on");
        return p;
    }

    @Test
    void everyAckedMessageSurvivesKill9() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "awcrash");
        Path home = dir.resolve("home");
        String endpoint = "unix:" + home.resolve("hub.sock");
        Process hub = startHub(home);
        try {
            try (AgentwireClient c = AgentwireClient.builder()
                    .endpoint(endpoint)
                    .reconnect(false)
                    .connect()) {
                List<CompletableFuture<JsonNode>> acks = new ArrayList<>();
                for (int i = 0; i < 10_000; i++) {
                    acks.add(c.rooms().publish("durable", "m" + i, null));
                }
                for (CompletableFuture<JsonNode> a : acks) {
                    a.get(60, TimeUnit.SECONDS);
                }
            }
            hub.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
            assertThat(hub.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(hub.exitValue()).isEqualTo(137);
            hub = startHub(home);
            try (AgentwireClient c = AgentwireClient.builder()
                    .endpoint(endpoint)
                    .reconnect(false)
                    .connect()) {
                JsonNode h = c.rooms().history("durable", 10_000).get(60, TimeUnit.SECONDS);
                JsonNode messages = h.path("messages");
                assertThat(messages).hasSize(10_000);
                Set<String> ids = new HashSet<>();
                for (int i = 0; i < 10_000; i++) {
                    JsonNode m = messages.get(i);
                    assertThat(m.path("offset").asLong()).isEqualTo(i + 1);
                    assertThat(m.path("text").asText()).isEqualTo("m" + i);
                    assertThat(ids.add(m.path("id").asText())).as("none twice").isTrue();
                }
            }
        } finally {
            hub.destroyForcibly();
            hub.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void publishesWithRetriesSurviveAHubKilledMidStreamAndAreStoredOnce() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "awretry");
        Path home = dir.resolve("home");
        Process hub = startHub(home);
        int total = 2000;
        try (AgentwireClient c = AgentwireClient.builder()
                .endpoint("unix:" + home.resolve("hub.sock"))
                .connect()) {
            Semaphore window = new Semaphore(200);
            AtomicInteger acked = new AtomicInteger();
            List<CompletableFuture<JsonNode>> acks = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread publisher = new Thread(() -> {
                for (int i = 0; i < total; i++) {
                    window.acquireUninterruptibly();
                    acks.add(c.rooms().publish("retried", "m" + i, null, 30).whenComplete((r, e) -> {
                        acked.incrementAndGet();
                        window.release();
                    }));
                }
            });
            publisher.start();
            while (acked.get() < 500) {
                Thread.onSpinWait();
            }
            hub.destroyForcibly(); // SIGKILL with up to 200 publishes unacknowledged
            assertThat(hub.waitFor(30, TimeUnit.SECONDS)).isTrue();
            long unacked = acks.stream().filter(a -> !a.isDone()).count();
            hub = startHub(home);
            publisher.join(120_000);
            for (CompletableFuture<JsonNode> a : acks) {
                a.get(120, TimeUnit.SECONDS); // every one acked in the end, none failed
            }
            assertThat(acks).hasSize(total);
            assertThat(unacked).as("publishes were in flight when the hub died").isPositive();
            JsonNode messages = c.rooms()
                    .history("retried", total * 2)
                    .get(60, TimeUnit.SECONDS)
                    .path("messages");
            List<String> texts = new ArrayList<>();
            messages.forEach(m -> texts.add(m.path("text").asText()));
            assertThat(texts).hasSize(total).doesNotHaveDuplicates();
            Set<String> expected = new HashSet<>();
            for (int i = 0; i < total; i++) {
                expected.add("m" + i);
            }
            assertThat(new HashSet<>(texts)).isEqualTo(expected);
        } finally {
            hub.destroyForcibly();
            hub.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void sendHistoryRoomsAndTail() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "awroom");
        Path home = dir.resolve("home");
        String endpoint = "unix:" + home.resolve("hub.sock");
        Process hub = startHub(home);
        Process tail = null;
        try {
            AwRunner.Result sent = aw("send", "lobby", "hello there", "--connect", endpoint);
            assertThat(sent.code()).isZero();
            assertThat(sent.out()).contains("sent to lobby at offset 1");
            tail = new ProcessBuilder(AwRunner.processCommand("tail", "lobby", "--history", "1", "--connect", endpoint))
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            BufferedReader lines =
                    new BufferedReader(new InputStreamReader(tail.getInputStream(), StandardCharsets.UTF_8));
            assertThat(lines.readLine()).isEqualTo("[1] uid:0: hello there");
            assertThat(aw("send", "lobby", "second", "--connect", endpoint).code())
                    .isZero();
            assertThat(lines.readLine()).as("tail prints live messages").isEqualTo("[2] uid:0: second");
            AwRunner.Result history = aw("history", "lobby", "-n", "5", "--connect", endpoint);
            assertThat(history.out().lines().toList()).containsExactly("[1] uid:0: hello there", "[2] uid:0: second");
            AwRunner.Result rooms = aw("rooms", "--json", "--connect", endpoint);
            JsonNode list = Json.mapper().readTree(rooms.out());
            assertThat(list.path("rooms").get(0).path("room").asText()).isEqualTo("lobby");
            assertThat(list.path("rooms").get(0).path("members").asInt())
                    .as("the tail is a member")
                    .isEqualTo(1);
            AwRunner.Result bad = aw("send", "no spaces allowed", "x", "--connect", endpoint);
            assertThat(bad.code()).isEqualTo(ExitCodes.ERROR);
            assertThat(bad.err()).contains("room must be a string");
        } finally {
            if (tail != null) {
                tail.destroy();
                tail.waitFor(30, TimeUnit.SECONDS);
            }
            hub.destroy();
            hub.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
