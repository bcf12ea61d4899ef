package dev.agentwire.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentwire.server.testing.RawConnection;
import dev.agentwire.server.testing.TestHubs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code logging.transport: true} logs every call and its outcome; off, it logs none. */
class TraceLoggingTest {

    private static String capture(String transportLogging) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (AgentwireHub hub =
                TestHubs.start(TestHubs.shortTempDir(), b -> b.set("logging.transport", transportLogging))) {
            System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
            try (RawConnection c = RawConnection.unix(hub.config().socketPath())) {
                c.request(41, "hub/ping", null).readJson();
                c.request(42, "no/such", "{\"x\":1}").readJson();
            }
        } finally {
            System.setErr(original);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void tracesCallsWhenOn() throws Exception {
        String log = capture("true");
        assertThat(log).contains("-> hub/ping id=41").contains("<- hub/ping id=41 ok");
        assertThat(log).contains("-> no/such id=42 {\"x\":1}").contains("<- no/such id=42 error");
    }

    @Test
    void isQuietWhenOff() throws Exception {
        assertThat(capture("false")).doesNotContain("hub/ping id=41");
    }
}
