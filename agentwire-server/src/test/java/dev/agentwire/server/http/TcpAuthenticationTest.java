package dev.agentwire.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.TestHubs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every TCP path needs a secret; Host and Origin are checked as well, never instead. The attacks of issue 11,
 * finding 1 (a second local user forging {@code Origin}), DNS rebinding ({@code Host}) and a foreign page
 * holding a valid token ({@code Origin}), run for real against a hub on an ephemeral port.
 */
class TcpAuthenticationTest {

    private static final int NOBODY = 65534;

    /**
     * A WebSocket client written by hand, as another local user would: the upgrade with a forged
     * {@code Origin} of the hub's own, then (if upgraded) one masked text frame with {@code terminals/spawn}.
     * Prints the status line and, if upgraded, the answer.
     */
    private static final String FORGED_ORIGIN_CLIENT = String.join(
            "\n",
            "import base64, json, os, socket, struct, sys",
            "port, target = int(sys.argv[1]), sys.argv[2]",
            "s = socket.create_connection(('127.0.0.1', port), timeout=10)",
            "key = base64.b64encode(os.urandom(16)).decode()",
            "s.sendall(('GET /ws HTTP/1.1\\r\\nHost: 127.0.0.1:%d\\r\\nUpgrade: websocket\\r\\n'",
            "           'Connection: Upgrade\\r\\nSec-WebSocket-Key: %s\\r\\nSec-WebSocket-Version: 13\\r\\n'",
            "           'Origin: http://127.0.0.1:%d\\r\\n\\r\\n' % (port, key, port)).encode())",
            "head = b''",
            "while b'\\r\\n\\r\\n' not in head:",
            "    chunk = s.recv(65536)",
            "    if not chunk: break",
            "    head += chunk",
            "status = head.split(b'\\r\\n', 1)[0].decode()",
            "print(status)",
            "if ' 101 ' in status:",
            "    msg = json.dumps({'jsonrpc': '2.0', 'id': 1, 'method': 'terminals/spawn',",
            "                      'params': {'command': 'sh', 'args': ['-c', 'id > ' + target]}}).encode()",
            "    mask = os.urandom(4)",
            "    frame = bytes([0x81, 0x80 | 126]) + struct.pack('>H', len(msg)) + mask",
            "    frame += bytes(b ^ mask[i % 4] for i, b in enumerate(msg))",
            "    s.sendall(frame)",
            "    reply = s.recv(65536)",
            "    print(reply[reply.find(b'{'):].decode(errors='replace'))");

    private AgentwireHub hub;
    private int port;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeEach
    void start() throws Exception {
        hub = TestHubs.start(TestHubs.shortTempDir(), b -> b.set("limits.ratePerSecond", "0"));
        port = hub.tcpPort().getAsInt();
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    @Test
    void anotherLocalUserWithAForgedOriginGetsNoWebSocketAndRunsNothing() throws Exception {
        assumeTrue(
                Files.readString(Path.of("/proc/self/status")).lines().anyMatch(l -> l.matches("Uid:\\s+0\\s.*")),
                "needs root to run a client as another uid with setpriv");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv (util-linux)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs python3 for the attacker's client");
        Path shared = Files.createTempDirectory(Path.of("/tmp"), "awpwn");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path pwned = shared.resolve("pwned.txt");
        Process p = new ProcessBuilder(List.of(
                        "/usr/bin/setpriv",
                        "--reuid=" + NOBODY,
                        "--regid=" + NOBODY,
                        "--clear-groups",
                        "/usr/bin/python3",
                        "-c",
                        FORGED_ORIGIN_CLIENT,
                        Integer.toString(port),
                        pwned.toString()))
                .redirectErrorStream(true)
                .start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS))
                .as("the attacker's client finishes")
                .isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out).as("the upgrade is refused: Origin is not a secret").startsWith("HTTP/1.1 401");
        assertThat(pwned).as("nothing ran as the hub's owner").doesNotExist();
        assertThat(hub.core().connections()).as("no connection was opened").isEmpty();
    }

    @Test
    void theHubsOwnOriginWithoutASecretIsRefusedEverywhere() throws Exception {
        String own = "http://127.0.0.1:" + port;
        assertThat(webSocketStatus("", own)).as("/ws").isEqualTo(401);
        HttpResponse<String> api = send("GET", "/api/tools", null, own, null);
        assertThat(api.statusCode()).as("/api").isEqualTo(401);
        assertThat(api.body()).contains("aw open");
        assertThat(send("GET", "/metrics", null, own, null).statusCode())
                .as("/metrics")
                .isEqualTo(401);
    }

    @Test
    void aHostThatIsNotThisHubIsRefusedBeforeAnyRouting() throws Exception {
        for (String path : List.of("/health", "/ws", "/api/tools", "/terminals", "/login?code=x")) {
            String answer = raw("GET " + path + " HTTP/1.1\r\nHost: evil.example:" + port + "\r\n"
                    + "Authorization: Bearer " + hub.token() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
            assertThat(answer).as(path).startsWith("HTTP/1.1 403").contains("evil.example");
        }
        String missing = raw("GET /health HTTP/1.0\r\n\r\n");
        assertThat(missing).as("no Host at all").startsWith("HTTP/1.1 403");
        for (String host : List.of("127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port, "LocalHost:" + port)) {
            assertThat(raw("GET /health HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n"))
                    .as(host)
                    .startsWith("HTTP/1.1 200");
        }
        assertThat(raw("GET /health HTTP/1.1\r\nHost: 127.0.0.1:" + (port == 1 ? 2 : port - 1) + "\r\n\r\n"))
                .as("another port is another site")
                .startsWith("HTTP/1.1 403");
    }

    @Test
    void allowedHostsAddNamesForTheHub() throws Exception {
        try (AgentwireHub other = TestHubs.start(
                TestHubs.shortTempDir(), b -> b.set("security.allowedHosts", "hub.internal, box.lan:9999"))) {
            int p = other.tcpPort().getAsInt();
            assertThat(raw(p, "GET /health HTTP/1.1\r\nHost: hub.internal:" + p + "\r\nConnection: close\r\n\r\n"))
                    .startsWith("HTTP/1.1 200");
            assertThat(raw(p, "GET /health HTTP/1.1\r\nHost: box.lan:9999\r\nConnection: close\r\n\r\n"))
                    .as("an entry with a port names that port")
                    .startsWith("HTTP/1.1 200");
            assertThat(raw(p, "GET /health HTTP/1.1\r\nHost: box.lan:" + p + "\r\nConnection: close\r\n\r\n"))
                    .startsWith("HTTP/1.1 403");
        }
    }

    @Test
    void aForeignOriginIsRefusedEvenWithAValidToken() throws Exception {
        assertThat(webSocketStatus("?token=" + hub.token(), "http://evil.example"))
                .as("/ws")
                .isEqualTo(403);
        HttpResponse<String> post =
                send("POST", "/api/route-llm", "{\"token_count\": 100}", "http://evil.example", hub.token());
        assertThat(post.statusCode()).as("POST /api").isEqualTo(403);
        assertThat(post.body()).contains("http://evil.example").contains("security.allowedOrigins");
        assertThat(send("GET", "/api/tools", null, "http://evil.example", hub.token())
                        .statusCode())
                .as("a GET reads nothing a foreign page could see, so Origin is not checked there")
                .isEqualTo(200);
        assertThat(send("POST", "/api/route-llm", "{\"token_count\": 100}", null, hub.token())
                        .statusCode())
                .as("no Origin: not a browser")
                .isEqualTo(200);
    }

    @Test
    void pagesCannotBeFramedAndNothingIsSniffed() throws Exception {
        for (String page : List.of("/terminals", "/demo/tools.html")) {
            HttpResponse<String> r = send("GET", page, null, null, null);
            assertThat(r.statusCode()).as(page).isEqualTo(200);
            assertThat(r.headers().firstValue("X-Frame-Options")).as(page).hasValue("DENY");
            assertThat(r.headers().firstValue("Content-Security-Policy").orElse(""))
                    .as(page)
                    .contains("frame-ancestors 'none'")
                    .contains("default-src 'self'");
        }
        for (String path : List.of("/health", "/client.js", "/nope", "/api/tools", "/login?code=nope")) {
            assertThat(send("GET", path, null, null, null).headers().firstValue("X-Content-Type-Options"))
                    .as(path)
                    .hasValue("nosniff");
        }
    }

    // --- helpers ---------------------------------------------------------------------------------------------

    private int webSocketStatus(String query, String origin) {
        WebSocket.Builder b = http.newWebSocketBuilder();
        if (origin != null) {
            b.header("Origin", origin);
        }
        Throwable t = catchThrowable(
                () -> b.buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws" + query), new WebSocket.Listener() {})
                        .join()
                        .abort());
        if (t == null) {
            return 101;
        }
        Throwable cause = t instanceof CompletionException ? t.getCause() : t;
        assertThat(cause).isInstanceOf(WebSocketHandshakeException.class);
        return ((WebSocketHandshakeException) cause).getResponse().statusCode();
    }

    private HttpResponse<String> send(String method, String path, String body, String origin, String token)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (origin != null) {
            b.header("Origin", origin);
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String raw(String request) throws IOException {
        return raw(port, request);
    }

    /** Sends {@code request} as written (the JDK's client will not forge Host) and reads until the close. */
    static String raw(int port, String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            try {
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    if (answerComplete(out.toString(StandardCharsets.ISO_8859_1))) {
                        break;
                    }
                }
            } catch (java.net.SocketTimeoutException e) {
                // what came is the answer
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** A whole response: its head and as much body as Content-Length says. */
    private static boolean answerComplete(String text) {
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        var m = java.util.regex.Pattern.compile("(?i)\r\ncontent-length: *(\\d+)")
                .matcher(text.substring(0, end));
        return m.find() && text.length() - end - 4 >= Integer.parseInt(m.group(1));
    }
}
