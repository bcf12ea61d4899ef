package dev.agentwire.server.terminals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.TestHubs;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A viewer on ipc.sock that stops reading is closed as a slow consumer, and what the hub holds for it stays bounded;
 * the program and other viewers go on.
 */
class IpcViewerLimitTest {

    private static final Duration WAIT = Duration.ofSeconds(120);
    /** limits.maxOutboundBytes: room enough that a viewer that reads is never judged slow on a busy machine. */
    private static final long LIMIT = 256 << 10;

    private static final long GRACE_MS = 1000;
    /**
     * The program prints this much, then sleeps 0.1 s, so that however fast the machine it prints at most 11 chunks
     * while the grace runs. Unpaced, it could print everything within the grace, and the hub may queue up to max(4x
     * the limit, 64 MiB) for a peer that does not read: nothing would bound the stuck viewer's queue below the whole
     * output.
     */
    private static final int CHUNK = 50_000;

    private static final int CHUNKS = 100;
    /** What the program prints: far past the limit and the kernel's socket buffers. */
    private static final int OUTPUT_BYTES = CHUNK * CHUNKS;
    /**
     * What the hub may queue for a viewer that never reads: up to the limit, then what is printed while the grace
     * runs (a chunk is 51,000 bytes on the terminal: fold's newlines, each made CR LF), plus slack for the
     * kernel's socket buffer (about 208 KiB on Linux), the PTY's buffer and the replies on hub.sock.
     */
    private static final long BOUND = LIMIT + 11 * 51_000 + (512 << 10);

    private final HttpClient http = HttpClient.newHttpClient();
    private AgentwireHub hub;
    private AgentwireClient client;

    @BeforeEach
    void start() throws Exception {
        hub = TestHubs.start(
                TestHubs.shortTempDir(),
                b -> b.set("limits.maxOutboundBytes", String.valueOf(LIMIT))
                        .set("limits.slowConsumerGraceMs", String.valueOf(GRACE_MS)));
        client = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect();
    }

    @AfterEach
    void stop() {
        client.close();
        hub.close();
    }

    private JsonNode call(String method, JsonNode params) throws Exception {
        return client.request(method, params).get(30, TimeUnit.SECONDS);
    }

    private void type(String id, String line) throws Exception {
        call("terminals/input", Json.mapper().createObjectNode().put("id", id).put("text", line + "\r"));
    }

    @Test
    void aViewerThatStopsReadingIsClosedAndTheOthersGetEverything() throws Exception {
        ObjectNode p = Json.mapper().createObjectNode();
        p.putArray("command").add("bash").add("--norc").add("--noprofile");
        p.putObject("env").put("PS1", "$ ");
        String id = call("terminals/spawn", p).path("id").asText();
        Path sock = hub.config().home().resolve("control").resolve(id).resolve("ipc.sock");

        SocketChannel stuck = SocketChannel.open(StandardProtocolFamily.UNIX);
        stuck.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
        stuck.connect(UnixDomainSocketAddress.of(sock));
        SocketChannel reader = SocketChannel.open(StandardProtocolFamily.UNIX);
        reader.connect(UnixDomainSocketAddress.of(sock));
        StdoutTail good = new StdoutTail(reader);
        CompletableFuture.runAsync(good);

        // $((6*7)) and $((1+1)) so that the echo of the typed line does not match.
        type(
                id,
                "for i in $(seq " + CHUNKS + "); do head -c " + CHUNK
                        + " /dev/zero | tr '\\0' a | fold -w 100; sleep 0.1; done; echo DONE-$((6*7))");
        await().atMost(WAIT).until(() -> good.saw("DONE-42"));
        assertThat(good.stdoutBytes.get())
                .as("the reading viewer got all of it")
                .isGreaterThan(OUTPUT_BYTES);

        // Everything the hub sent went to the reading viewer, to the stuck one, or (a few KB) to the client on
        // hub.sock; the stuck viewer never read past the kernel's buffers, so the hub held the rest of its share.
        long queuedForTheStuckOne = bytesSent() - good.rawBytes.get();
        assertThat(queuedForTheStuckOne)
                .as(
                        "bytes the hub queued for the viewer that stopped reading (limit %d, grace %d ms, %d printed)",
                        LIMIT, GRACE_MS, good.stdoutBytes.get())
                .isLessThan(BOUND);
        assertThat(hub.core().metrics().slowConsumers())
                .as("only the stuck viewer")
                .isEqualTo(1);

        // The session and the other viewer go on; nothing more is queued for the stuck one.
        type(id, "echo still-$((1+1))");
        await().atMost(WAIT).until(() -> good.saw("still-2"));

        // The stuck viewer: what was queued before it was judged slow at most, then the end of the stream.
        String seen = CompletableFuture.supplyAsync(() -> drain(stuck)).get(30, TimeUnit.SECONDS);
        assertThat(seen).doesNotContain("still-2");
        assertThat(call("terminals/list", Json.mapper().createObjectNode()).toString())
                .contains(id)
                .contains("running");
        reader.close();
    }

    /** The hub's count of the bytes it sent to peers, as its /metrics reports it. */
    private long bytesSent() throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + hub.tcpPort().getAsInt() + "/metrics"))
                        .header("Authorization", "Bearer " + hub.token())
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("/metrics").isEqualTo(200);
        return r.body()
                .lines()
                .filter(line -> line.startsWith("agentwire_bytes_sent_bytes_total "))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no agentwire_bytes_sent_bytes_total in /metrics"));
    }

    /** Reads a channel to its end; what it read, as text. */
    private static String drain(SocketChannel ch) {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        try (ch) {
            int n;
            while ((n = ch.read(buf.clear())) >= 0) {
                all.write(buf.array(), 0, n);
            }
        } catch (java.io.IOException e) {
            // a reset is an end too
        }
        return all.toString(StandardCharsets.UTF_8);
    }

    /**
     * Reads typed frames until the end, counting the bytes read and the StdoutData bytes, and keeping the last few
     * kilobytes of text.
     */
    private static final class StdoutTail implements Runnable {
        private final SocketChannel ch;
        private final AtomicLong rawBytes = new AtomicLong();
        private final AtomicLong stdoutBytes = new AtomicLong();
        private final StringBuilder tail = new StringBuilder();

        StdoutTail(SocketChannel ch) {
            this.ch = ch;
        }

        synchronized boolean saw(String text) {
            return tail.indexOf(text) >= 0;
        }

        private synchronized void add(String text) {
            tail.append(text);
            if (tail.length() > 8192) {
                tail.delete(0, tail.length() - 8192);
            }
        }

        @Override
        public void run() {
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            buf.flip();
            try {
                while (true) {
                    if (buf.remaining() >= 5 && buf.remaining() >= 5 + buf.getInt(buf.position() + 1)) {
                        int type = buf.get() & 0xFF;
                        byte[] payload = new byte[buf.getInt()];
                        buf.get(payload);
                        if (type == 0x04) {
                            stdoutBytes.addAndGet(payload.length);
                            add(new String(payload, StandardCharsets.UTF_8));
                        }
                        continue;
                    }
                    buf.compact();
                    int n = ch.read(buf);
                    buf.flip();
                    if (n < 0) {
                        return;
                    }
                    rawBytes.addAndGet(n);
                }
            } catch (java.io.IOException e) {
                // closed by the test
            }
        }
    }
}
