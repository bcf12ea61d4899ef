package dev.agentwire.server.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.RawConnection;
import dev.agentwire.server.testing.TestHubs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Before authentication nothing is free, after it each identity has its share (issue 11, findings 3 and 9): HTTP
 * deadlines, caps on strangers' connections, connections and HTTP calls per identity, quiet logs for resets.
 */
class PreAuthLimitsTest {

    private static AgentwireHub hub(UnaryOperator<AgentwireHub.Builder> tweak) throws Exception {
        return TestHubs.start(TestHubs.shortTempDir(), tweak);
    }

    @Test
    void anHttpHeadThatNeverEndsGets408WithinTheDeadline() throws Exception {
        try (AgentwireHub hub = hub(b -> b.set("limits.httpHeaderTimeoutMs", "500"));
                RawConnection c = RawConnection.tcp(hub.tcpPort().getAsInt())) {
            c.send(("GET /health HTTP/1.1\r\nHost: 127.0.0.1:" + hub.tcpPort().getAsInt() + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String status = c.readLine(Duration.ofSeconds(10));
            assertThat(status).startsWith("HTTP/1.1 408");
            c.assertClosedWithin(Duration.ofSeconds(10));
        }
    }

    @Test
    void anHttpBodyThatNeverEndsGets408WithinTheDeadline() throws Exception {
        try (AgentwireHub hub = hub(b -> b.set("limits.httpBodyTimeoutMs", "500"));
                RawConnection c = RawConnection.tcp(hub.tcpPort().getAsInt())) {
            c.send(("POST /api/route-llm HTTP/1.1\r\nHost: 127.0.0.1:"
                            + hub.tcpPort().getAsInt() + "\r\nAuthorization: Bearer " + hub.token()
                            + "\r\nContent-Length: 100\r\n\r\n{")
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(c.readLine(Duration.ofSeconds(10))).startsWith("HTTP/1.1 408");
            c.assertClosedWithin(Duration.ofSeconds(10));
        }
    }

    /** A stranger could make the hub buffer limits.maxMessageBytes (16 MiB) per connection before the gate. */
    @Test
    void aStrangersLargeBodyIsRefusedBeforeItIsRead() throws Exception {
        try (AgentwireHub hub = hub(b -> b);
                RawConnection c = RawConnection.tcp(hub.tcpPort().getAsInt())) {
            c.send(("POST /api/route-llm HTTP/1.1\r\nHost: 127.0.0.1:"
                            + hub.tcpPort().getAsInt() + "\r\nContent-Length: 10000000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(c.readLine(Duration.ofSeconds(10))).startsWith("HTTP/1.1 401");
            c.assertClosedWithin(Duration.ofSeconds(10));
        }
        try (AgentwireHub hub = hub(b -> b);
                RawConnection c = RawConnection.tcp(hub.tcpPort().getAsInt())) {
            c.send(("POST /api/route-llm HTTP/1.1\r\nHost: 127.0.0.1:"
                            + hub.tcpPort().getAsInt() + "\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(c.readLine(Duration.ofSeconds(10))).startsWith("HTTP/1.1 401");
        }
        // Any Cookie header used to count as a credential for the body limit.
        try (AgentwireHub hub = hub(b -> b);
                RawConnection c = RawConnection.tcp(hub.tcpPort().getAsInt())) {
            c.send(("POST /api/route-llm HTTP/1.1\r\nHost: 127.0.0.1:"
                            + hub.tcpPort().getAsInt() + "\r\nCookie: anything=x\r\nContent-Length: 10000000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(c.readLine(Duration.ofSeconds(10))).startsWith("HTTP/1.1 401");
            c.assertClosedWithin(Duration.ofSeconds(10));
        }
    }

    /** Review: an Upgrade header used to switch every HTTP deadline off before anyone looked at the request. */
    @Test
    void askingForAWebSocketDoesNotLiftTheDeadlines() throws Exception {
        try (AgentwireHub hub = hub(b -> b.set("limits.httpBodyTimeoutMs", "500"));
                RawConnection c = RawConnection.tcp(hub.tcpPort().getAsInt())) {
            c.send(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + hub.tcpPort().getAsInt() + "\r\nUpgrade: websocket\r\n"
                            + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                            + "dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer " + hub.token()
                            + "\r\nContent-Length: 100\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(c.readLine(Duration.ofSeconds(10))).startsWith("HTTP/1.1 408");
            c.assertClosedWithin(Duration.ofSeconds(10));
        }
    }

    /** Before authentication a stream peer may send 64 KiB, not limits.maxMessageBytes. */
    @Test
    void aStreamPeerSendsLittleBeforeHello() throws Exception {
        try (AgentwireHub hub = hub(b -> b);
                RawConnection c = RawConnection.tcp(hub.tcpPort().getAsInt())) {
            c.send(("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/hello\",\"params\":{\"name\":\""
                            + "x".repeat(100 * 1024) + "\"}}\n")
                    .getBytes(StandardCharsets.US_ASCII));
            JsonNode refused = c.readJson(Duration.ofSeconds(10));
            assertThat(refused.path("error").path("code").asInt()).isEqualTo(-32006);
            assertThat(refused.path("error").path("data").path("limit").asInt()).isEqualTo(64 * 1024);
            c.assertClosedWithin(Duration.ofSeconds(10));
        }
    }

    /** Red team: a stranger's junk lines each got an answer it never read, and the hello deadline's close waited. */
    @Test
    void aStrangersJunkGetsOneAnswerThenTheDoor() throws Exception {
        try (AgentwireHub hub = hub(b -> b);
                RawConnection c = RawConnection.tcp(hub.tcpPort().getAsInt())) {
            c.send("{\n".repeat(1000).getBytes(StandardCharsets.US_ASCII));
            assertThat(c.readJson(Duration.ofSeconds(10))
                            .path("error")
                            .path("code")
                            .asInt())
                    .isEqualTo(-32700);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.readLine(Duration.ofSeconds(10)))
                    .as("no second answer: the connection closed after the first")
                    .hasMessageContaining("closed the connection");
        }
    }

    /**
     * Red team: a stranger pipelined 40 requests for a large page and never read; the answers piled up in the hub
     * (6 GB over 256 connections) and no deadline ever fired.
     */
    @Test
    void aStrangerWhoPipelinesAndDoesNotReadIsClosed() throws Exception {
        try (AgentwireHub hub = hub(b -> b.set("limits.httpIdleTimeoutMs", "1000"));
                Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(new InetSocketAddress("127.0.0.1", hub.tcpPort().getAsInt()));
            String get = "GET /vendor/xterm/xterm.js HTTP/1.1\r\nHost: 127.0.0.1:"
                    + hub.tcpPort().getAsInt() + "\r\n\r\n";
            s.getOutputStream().write(get.repeat(40).getBytes(StandardCharsets.US_ASCII));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> hub.core()
                                    .status()
                                    .path("tcp")
                                    .path("unauthenticated")
                                    .asInt()
                            == 0);
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosed() throws Exception {
        try (AgentwireHub hub = hub(b -> b.set("limits.httpIdleTimeoutMs", "500"));
                RawConnection c = RawConnection.tcp(hub.tcpPort().getAsInt())) {
            c.send(("GET /health HTTP/1.1\r\nHost: 127.0.0.1:" + hub.tcpPort().getAsInt() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(c.readLine(Duration.ofSeconds(10))).startsWith("HTTP/1.1 200");
            c.assertClosedWithin(Duration.ofSeconds(10));
        }
    }

    @Test
    void strangersPerAddressAreCappedUntilTheyAuthenticate() throws Exception {
        try (AgentwireHub hub = hub(b -> b.set("limits.maxUnauthenticatedPerAddress", "3"))) {
            int port = hub.tcpPort().getAsInt();
            List<RawConnection> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    held.add(RawConnection.tcp(port));
                }
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> hub.core()
                                        .status()
                                        .path("tcp")
                                        .path("unauthenticated")
                                        .asInt()
                                == 3);
                try (RawConnection fourth = RawConnection.tcp(port)) {
                    fourth.assertClosedWithin(Duration.ofSeconds(10));
                }
                // One of the three authenticates: it is no stranger any more, and a new one may come in.
                held.get(0).request(1, "hub/hello", "{\"token\":\"" + hub.token() + "\"}");
                assertThat(held.get(0).readJson(Duration.ofSeconds(10)).has("result"))
                        .isTrue();
                try (RawConnection fifth = RawConnection.tcp(port)) {
                    fifth.request(1, "hub/hello", "{\"token\":\"" + hub.token() + "\"}");
                    assertThat(fifth.readJson(Duration.ofSeconds(10)).has("result"))
                            .isTrue();
                }
            } finally {
                for (RawConnection c : held) {
                    c.close();
                }
            }
        }
    }

    /**
     * Past limits.maxTcpConnections the listener stops accepting (peers wait in the kernel's backlog, holding no
     * descriptor of the hub) and starts again when one closes.
     */
    @Test
    void theTcpListenerStopsAcceptingAtItsLimitAndResumes() throws Exception {
        try (AgentwireHub hub = hub(b -> b.set("limits.maxTcpConnections", "3"))) {
            int port = hub.tcpPort().getAsInt();
            List<RawConnection> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    RawConnection c = RawConnection.tcp(port);
                    held.add(c);
                    c.request(1, "hub/hello", "{\"token\":\"" + hub.token() + "\"}");
                    assertThat(c.readJson(Duration.ofSeconds(10)).has("result")).isTrue();
                }
                try (RawConnection fourth = RawConnection.tcp(port)) {
                    fourth.request(1, "hub/hello", "{\"token\":\"" + hub.token() + "\"}");
                    org.assertj.core.api.Assertions.assertThatThrownBy(() -> fourth.readLine(Duration.ofSeconds(1)))
                            .as("not accepted while three are open")
                            .isInstanceOf(AssertionError.class);
                    held.remove(0).close();
                    assertThat(fourth.readJson(Duration.ofSeconds(10)).has("result"))
                            .as("accepted once one closed")
                            .isTrue();
                }
            } finally {
                for (RawConnection c : held) {
                    c.close();
                }
            }
        }
    }

    @Test
    void anIdentityHoldsAtMostItsConnections() throws Exception {
        try (AgentwireHub hub = hub(b -> b.set("limits.maxConnectionsPerIdentity", "2"));
                AgentwireClient owner = AgentwireClient.builder()
                        .endpoint(hub.endpoint())
                        .reconnect(false)
                        .connect()) {
            ObjectNode mint = Json.mapper().createObjectNode().put("sub", "bot").put("ttlSeconds", 600);
            mint.putArray("scopes").add("rooms:read:*");
            String token = owner.request("tokens/create", mint)
                    .get(10, TimeUnit.SECONDS)
                    .path("token")
                    .asText();
            int port = hub.tcpPort().getAsInt();
            try (RawConnection a = RawConnection.tcp(port);
                    RawConnection b = RawConnection.tcp(port);
                    RawConnection c = RawConnection.tcp(port)) {
                for (RawConnection r : List.of(a, b)) {
                    r.request(1, "hub/hello", "{\"token\":\"" + token + "\"}");
                    assertThat(r.readJson(Duration.ofSeconds(10)).has("result")).isTrue();
                }
                c.request(1, "hub/hello", "{\"token\":\"" + token + "\"}");
                JsonNode refused = c.readJson(Duration.ofSeconds(10));
                assertThat(refused.path("error").path("code").asInt()).isEqualTo(-32008);
                assertThat(refused.path("error").path("data").path("reason").asText())
                        .isEqualTo("too_many_connections");
                assertThat(refused.path("error").path("data").path("limit").asInt())
                        .isEqualTo(2);
                c.assertClosedWithin(Duration.ofSeconds(10));
            }
        }
    }

    /** Finding (HubCore notes): HTTP was rate limited per connection, so a new connection per request escaped it. */
    @Test
    void httpCallsAreRateLimitedPerIdentityNotPerConnection() throws Exception {
        try (AgentwireHub hub = hub(b -> b.set("limits.ratePerSecond", "0.1").set("limits.rateBurst", "3"))) {
            int limited = 0;
            for (int i = 0; i < 6; i++) {
                // A new connection each time (Connection: close is restricted; a new client each time does it).
                HttpResponse<String> r = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                                + hub.tcpPort().getAsInt() + "/api/sessions"))
                                        .header("Authorization", "Bearer " + hub.token())
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 429) {
                    limited++;
                    assertThat(r.headers().firstValue("Retry-After")).isPresent();
                }
            }
            assertThat(limited).as("calls past the identity's burst of 3").isEqualTo(3);
        }
    }

    /** Finding 9: every reset unauthenticated connection logged two WARN stack traces. */
    @Test
    void resetConnectionsDoNotFloodTheLog() throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (AgentwireHub hub = hub(b -> b)) {
            System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
            int port = hub.tcpPort().getAsInt();
            for (int i = 0; i < 20; i++) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port));
                    s.getOutputStream().write(i % 2 == 0 ? "GET /he".getBytes() : "{\"jsonrpc\"".getBytes());
                    s.setSoLinger(true, 0); // close with a reset
                }
            }
            try (RawConnection c = RawConnection.tcp(port)) {
                c.request(1, "hub/hello", "{\"token\":\"" + hub.token() + "\"}");
                c.readJson(Duration.ofSeconds(10));
            }
        } finally {
            System.setErr(original);
        }
        String log = buf.toString(StandardCharsets.UTF_8);
        assertThat(log).as(log).doesNotContain("WARN").doesNotContain("\tat io.netty");
    }
}
