package dev.agentwire.core.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The HTTP probe against a real socket that answers its headers and then never sends the body. */
class HttpHealthProbeTest {

    @Test
    void aCheckPastItsDeadlineIsUnhealthyAndItsConnectionIsClosed() throws Exception {
        HttpHealthProbe probe = new HttpHealthProbe();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Integer> closedByProbe = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[4096];
                    in.read(buf); // the request
                    OutputStream out = s.getOutputStream();
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    s.setSoTimeout(20_000);
                    return in.read(); // -1 once the probe gives up and closes; a timeout if it never does
                } catch (Exception e) {
                    return -2;
                }
            });
            Optional<String> problem = probe.check(
                            URI.create("http://127.0.0.1:" + server.getLocalPort() + "/health"), Duration.ofMillis(300))
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            assertThat(problem).isPresent();
            assertThat(closedByProbe.get(30, TimeUnit.SECONDS))
                    .as("the stalled exchange was ended, not left open")
                    .isEqualTo(-1);
        } finally {
            probe.close();
        }
    }
}
