package dev.agentwire.server.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.TestHubs;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /mcp} refusing what MCP's Streamable HTTP transport says it must: a foreign Origin (403), no or a bad token
 * (401 with {@code WWW-Authenticate: Bearer}, and 404 where OAuth discovery looks), a missing session (400), an
 * unknown or ended or another identity's session (404), an unsupported {@code MCP-Protocol-Version} (400), a body
 * that is not one JSON-RPC message (400), the wrong Accept or Content-Type (406, 415), a second GET stream (409),
 * other methods (405); and 202 for a notification, a session id on initialize, DELETE ending the session.
 */
class McpHttpBadInputTest {

    private AgentwireHub hub;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        hub = TestHubs.start(TestHubs.shortTempDir());
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + hub.tcpPort().getAsInt() + path);
    }

    private HttpRequest.Builder post(String body) {
        return HttpRequest.newBuilder(uri("/mcp"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String initialize() {
        return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}";
    }

    /** A session of the hub's token. */
    private String session() throws Exception {
        HttpResponse<String> r = send(post(initialize()).header("Authorization", "Bearer " + hub.token()));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(Json.mapper()
                        .readTree(r.body())
                        .path("result")
                        .path("protocolVersion")
                        .asText())
                .isEqualTo("2025-06-18");
        return r.headers().firstValue("Mcp-Session-Id").orElseThrow();
    }

    private HttpRequest.Builder inSession(String session, String body) {
        return post(body).header("Authorization", "Bearer " + hub.token()).header("Mcp-Session-Id", session);
    }

    @Test
    void strangersAndForeignPagesAreRefused() throws Exception {
        HttpResponse<String> none = send(post(initialize()));
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
        HttpResponse<String> bad = send(post(initialize()).header("Authorization", "Bearer nope"));
        assertThat(bad.statusCode()).isEqualTo(401);
        HttpResponse<String> foreign = send(post(initialize())
                .header("Authorization", "Bearer " + hub.token())
                .header("Origin", "http://evil.example"));
        assertThat(foreign.statusCode()).isEqualTo(403);
        HttpResponse<String> foreignGet = send(HttpRequest.newBuilder(uri("/mcp"))
                .header("Authorization", "Bearer " + hub.token())
                .header("Origin", "http://evil.example")
                .header("Accept", "text/event-stream")
                .GET());
        assertThat(foreignGet.statusCode()).as("a GET stream is data too").isEqualTo(403);
        for (String wellKnown :
                new String[] {"/.well-known/oauth-authorization-server", "/.well-known/oauth-protected-resource/mcp"}) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(uri(wellKnown)).GET());
            assertThat(r.statusCode())
                    .as(wellKnown + ": no OAuth here, and not a 401 either")
                    .isEqualTo(404);
        }
    }

    @Test
    void sessionsAreNamedKeptApartAndEnded() throws Exception {
        String session = session();
        HttpResponse<String> initialized =
                send(inSession(session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"));
        assertThat(initialized.statusCode()).isEqualTo(202);
        assertThat(initialized.body()).isEmpty();
        HttpResponse<String> list = send(inSession(session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}")
                .header("MCP-Protocol-Version", "2025-06-18"));
        assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
        assertThat(Json.mapper().readTree(list.body()).path("result").has("tools"))
                .isTrue();

        HttpResponse<String> noSession = send(post("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}")
                .header("Authorization", "Bearer " + hub.token()));
        assertThat(noSession.statusCode()).isEqualTo(400);
        HttpResponse<String> unknown =
                send(inSession("not-a-session", "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\"}"));
        assertThat(unknown.statusCode()).isEqualTo(404);
        HttpResponse<String> version = send(inSession(session, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\"}")
                .header("MCP-Protocol-Version", "1999-01-01"));
        assertThat(version.statusCode()).isEqualTo(400);
        assertThat(version.body()).contains("MCP-Protocol-Version");
        HttpResponse<String> again = send(inSession(session, initialize()));
        assertThat(again.statusCode()).as("initialize inside a session").isEqualTo(400);

        // Another identity cannot use this session, even knowing its id.
        try (AgentwireClient owner = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect()) {
            ObjectNode mint = Json.mapper().createObjectNode().put("sub", "bob").put("ttlSeconds", 600);
            mint.putArray("scopes").add("tools:call");
            String bob = owner.request("tokens/create", mint)
                    .get(10, TimeUnit.SECONDS)
                    .path("token")
                    .asText();
            HttpResponse<String> stolen = send(post("{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"ping\"}")
                    .header("Authorization", "Bearer " + bob)
                    .header("Mcp-Session-Id", session));
            assertThat(stolen.statusCode()).isEqualTo(404);
        }

        HttpResponse<String> deleted = send(HttpRequest.newBuilder(uri("/mcp"))
                .header("Authorization", "Bearer " + hub.token())
                .header("Mcp-Session-Id", session)
                .DELETE());
        assertThat(deleted.statusCode()).isEqualTo(200);
        HttpResponse<String> gone = send(inSession(session, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}"));
        assertThat(gone.statusCode()).isEqualTo(404);
    }

    @Test
    void badBodiesAndHeadersGetTheirErrors() throws Exception {
        String session = session();
        HttpResponse<String> garbage = send(inSession(session, "{not json"));
        assertThat(garbage.statusCode()).isEqualTo(400);
        JsonNode parseError = Json.mapper().readTree(garbage.body());
        assertThat(parseError.path("error").path("code").asInt()).isEqualTo(-32700);
        HttpResponse<String> batch = send(
                inSession(
                        session,
                        "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}]"));
        assertThat(batch.statusCode()).isEqualTo(400);
        HttpResponse<String> jsonOnly = send(HttpRequest.newBuilder(uri("/mcp"))
                .header("Authorization", "Bearer " + hub.token())
                .header("Mcp-Session-Id", session)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}")));
        assertThat(jsonOnly.statusCode()).isEqualTo(406);
        HttpResponse<String> form = send(HttpRequest.newBuilder(uri("/mcp"))
                .header("Authorization", "Bearer " + hub.token())
                .header("Mcp-Session-Id", session)
                .header("Content-Type", "text/plain")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}")));
        assertThat(form.statusCode()).isEqualTo(415);
        HttpResponse<String> put = send(HttpRequest.newBuilder(uri("/mcp"))
                .header("Authorization", "Bearer " + hub.token())
                .PUT(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(put.headers().firstValue("Allow").orElse("")).contains("POST");
        HttpResponse<String> ping = send(inSession(session, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}"));
        assertThat(ping.statusCode()).as("the session survived all of it").isEqualTo(200);
    }

    @Test
    void oneGetStreamPerSessionAndResumingNeedsAKnownEvent() throws Exception {
        String session = session();
        HttpRequest.Builder get = HttpRequest.newBuilder(uri("/mcp"))
                .header("Authorization", "Bearer " + hub.token())
                .header("Mcp-Session-Id", session)
                .header("Accept", "text/event-stream")
                .GET();
        HttpResponse<InputStream> stream = http.send(get.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = stream.body()) {
            assertThat(stream.statusCode()).isEqualTo(200);
            assertThat(stream.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            HttpResponse<String> second = send(get);
            assertThat(second.statusCode()).isEqualTo(409);
        }
        HttpResponse<String> unknownEvent = send(HttpRequest.newBuilder(uri("/mcp"))
                .header("Authorization", "Bearer " + hub.token())
                .header("Mcp-Session-Id", session)
                .header("Accept", "text/event-stream")
                .header("Last-Event-ID", "999_1")
                .GET());
        assertThat(unknownEvent.statusCode()).isEqualTo(404);
        HttpResponse<String> noAccept = send(HttpRequest.newBuilder(uri("/mcp"))
                .header("Authorization", "Bearer " + hub.token())
                .header("Mcp-Session-Id", session)
                .header("Accept", "application/json")
                .GET());
        assertThat(noAccept.statusCode()).isEqualTo(406);
    }

    @Test
    void aCancelForNoPendingRequestChangesNothingAndOtherScopesDoNotGetTheSession() throws Exception {
        String session = session();
        HttpResponse<String> cancel = send(inSession(
                session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":7}}"));
        assertThat(cancel.statusCode()).isEqualTo(202);
        HttpResponse<String> ping = send(inSession(session, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}"));
        assertThat(ping.statusCode())
                .as("a cancel of nothing does not eat a later request with that id")
                .isEqualTo(200);
        assertThat(Json.mapper().readTree(ping.body()).path("id").asInt()).isEqualTo(7);

        try (AgentwireClient owner = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect()) {
            ObjectNode mint =
                    Json.mapper().createObjectNode().put("sub", "token").put("ttlSeconds", 600);
            mint.putArray("scopes").add("tools:call");
            // The hub's own name cannot be minted at all (it would also read the hub token's inbox)...
            assertThat(dev.agentwire.server.testing.RpcFailures.rpcError(owner.request("tokens/create", mint))
                            .reason())
                    .isEqualTo("reserved_subject");
            // ...and another name does not use a session opened with the hub's token.
            String narrow = owner.request("tokens/create", mint.put("sub", "narrow"))
                    .get(10, TimeUnit.SECONDS)
                    .path("token")
                    .asText();
            HttpResponse<String> other = send(post("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"ping\"}")
                    .header("Authorization", "Bearer " + narrow)
                    .header("Mcp-Session-Id", session));
            assertThat(other.statusCode())
                    .as("another identity does not use a session opened with the hub's token")
                    .isEqualTo(404);
        }
    }

    @Test
    void aStreamWhoseClientDoesNotReadIsCutNotTheHub() throws Exception {
        String chunk = "x".repeat(16 * 1024);
        int chunks = 3000; // 48 MiB of progress, far past what the hub holds for one unread stream
        try (AgentwireClient provider = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect()) {
            provider.tools()
                    .register(dev.agentwire.client.ToolSpec.of("flood", "Floods progress"), (args, ctx) -> {
                        for (int i = 0; i < chunks; i++) {
                            ctx.progress(i, (double) chunks, chunk);
                        }
                        ObjectNode r = Json.mapper().createObjectNode();
                        r.putArray("content").addObject().put("type", "text").put("text", "done");
                        return java.util.concurrent.CompletableFuture.completedFuture(r);
                    })
                    .get(10, TimeUnit.SECONDS);
            String session = session();
            String body = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"flood\","
                    + "\"arguments\":{},\"_meta\":{\"progressToken\":\"p\"}}}";
            try (java.net.Socket raw = new java.net.Socket()) {
                raw.setReceiveBufferSize(16 * 1024);
                raw.connect(new java.net.InetSocketAddress(
                        "127.0.0.1", hub.tcpPort().getAsInt()));
                raw.getOutputStream()
                        .write(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:"
                                        + hub.tcpPort().getAsInt()
                                        + "\r\nAuthorization: Bearer " + hub.token()
                                        + "\r\nMcp-Session-Id: " + session
                                        + "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream"
                                        + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                Thread.sleep(3000); // reads nothing while the provider floods
                raw.setSoTimeout(20_000);
                long read = 0;
                byte[] buf = new byte[64 * 1024];
                java.io.InputStream in = raw.getInputStream();
                int n;
                while ((n = in.read(buf)) >= 0) {
                    read += n;
                }
                assertThat(read)
                        .as("the hub cut the stream of a client that did not read")
                        .isLessThan((long) chunks * chunk.length());
            }
            HttpResponse<String> ping = send(inSession(session, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\"}"));
            assertThat(ping.statusCode()).as("the session goes on").isEqualTo(200);
        }
    }
}
