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
import java.net.UnixDomainSocketAddress;
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

/** A viewer on ipc.sock that stops reading is closed as a slow consumer; the program and other viewers go on. */
class IpcViewerLimitTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Output the program prints, far past the limit and the kernel's socket buffers. */
    private static final int OUTPUT_BYTES = 6_000_000;

    private AgentwireHub hub;
    private AgentwireClient client;

    @BeforeEach
    void start() throws Exception {
        hub = TestHubs.start(
                TestHubs.shortTempDir(),
                // Room enough that a viewer that reads is never judged slow on a busy machine.
                b -> b.set("limits.maxOutboundBytes", "256KiB").set("limits.slowConsumerGraceMs", "1000"));
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
        type(id, "head -c " + OUTPUT_BYTES + " /dev/zero | tr '\\0' a | fold -w 100; echo DONE-$((6*7))");
        await().atMost(WAIT).until(() -> good.saw("DONE-42"));
        assertThat(good.stdoutBytes.get())
                .as("the reading viewer got all of it")
                .isGreaterThan(OUTPUT_BYTES);
        await().atMost(WAIT).until(() -> hub.core().metrics().slowConsumers() >= 1);
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

    /** Reads typed frames until the end, counting StdoutData bytes and keeping the last few kilobytes of text. */
    private static final class StdoutTail implements Runnable {
        private final SocketChannel ch;
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
                }
            } catch (java.io.IOException e) {
                // closed by the test
            }
        }
    }
}
