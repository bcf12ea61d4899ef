package dev.agentwire.core.terminals;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.CoreSettings;
import dev.agentwire.core.HubCore;
import dev.agentwire.core.TestPeer;
import dev.agentwire.core.Ticker;
import dev.agentwire.protocol.RpcError;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code terminals/read} and {@code terminals/wait} through {@link TerminalsFeature}, on a {@link FakePty}
 * (docs/PROTOCOL.md, terminals): the screen as text, a wait answered from the screen or from later output, and
 * its other endings (timeout, cancellation, the terminal's exit, the caller leaving). {@code TerminalWaitsTest}
 * covers the matching rounds themselves.
 */
class TerminalWaitFeatureTest {

    @TempDir
    Path control;

    private final FakePty pty = new FakePty();
    private HubCore core;
    private TestPeer caller;
    private String id;

    /** Set when the terminal has exited and written its last file, so that the temp directory can go. */
    private final CountDownLatch exited = new CountDownLatch(1);

    @AfterEach
    void close() throws InterruptedException {
        if (core != null) {
            pty.exit(0);
            assertThat(exited.await(10, TimeUnit.SECONDS))
                    .as("the terminal exited")
                    .isTrue();
            core.close();
        }
    }

    private void start(int maxWaits) {
        core = HubCore.builder(CoreSettings.defaults("secret-token-secret-token-secret"), Ticker.SYSTEM)
                .feature(new TerminalsFeature(
                        control, pty.launcher(), new TerminalService.Settings(1 << 16, 60, 4, maxWaits, 1000)))
                .build();
        core.events().addListener((category, action, data) -> {
            if (data.path("type").asText().equals("session-exit")) {
                exited.countDown();
            }
        });
        caller = TestPeer.unix(core, 1001);
        id = caller.call("terminals/spawn", "{\"command\":[\"sh\"],\"cwd\":\"" + control + "\",\"cols\":30,\"rows\":4}")
                .path("id")
                .asText();
    }

    private long waitFor(TestPeer who, String pattern, long timeoutMs) {
        return who.send(
                "terminals/wait",
                "{\"id\":\"" + id + "\",\"pattern\":\"" + pattern + "\",\"timeoutMs\":" + timeoutMs + "}");
    }

    private JsonNode read() {
        return caller.call("terminals/read", "{\"id\":\"" + id + "\"}");
    }

    @Test
    void readShowsTheScreenAsTextWithTheCursor() {
        start(4);
        pty.print("\u001b[32m$\u001b[0m ls\r\nfile-a  file-b\r\n$ ");

        TestPeer.waitUntil(() -> read().path("lines").get(2).asText().equals("$"));

        JsonNode screen = read();
        assertThat(screen.path("lines").get(0).asText()).isEqualTo("$ ls");
        assertThat(screen.path("lines").get(1).asText()).isEqualTo("file-a  file-b");
        assertThat(screen.path("lines")).hasSize(4);
        assertThat(screen.path("cursor").path("x").asInt()).isEqualTo(2);
        assertThat(screen.path("cursor").path("y").asInt()).isEqualTo(2);
    }

    @Test
    void aWaitIsAnsweredFromWhatIsAlreadyOnTheScreen() {
        start(4);
        pty.print("login: ");
        TestPeer.waitUntil(() -> read().path("lines").get(0).asText().equals("login:"));

        JsonNode found = caller.result(waitFor(caller, "log(in):", 5000));

        assertThat(found.path("where").asText()).isEqualTo("screen");
        assertThat(found.path("match").asText()).isEqualTo("login:");
        assertThat(found.path("groups").get(0).asText()).isEqualTo("in");
    }

    @Test
    void aWaitIsAnsweredByOutputThatComesLater() {
        start(4);
        long wait = waitFor(caller, "ready [0-9]+", 10_000);
        pty.print("starting\r\n");
        read(); // behind the wait on the caller's queue, and once "starting" is on the screen
        assertThat(caller.replied(wait)).as("before the match").isFalse();

        pty.print("ready 42\r\n");

        assertThat(caller.result(wait).path("match").asText()).isEqualTo("ready 42");
    }

    @Test
    void aWaitWithoutAMatchTimesOutNamingThePattern() {
        start(4);

        RpcError e = caller.error(waitFor(caller, "never", 100));

        assertThat(e.code()).isEqualTo(-32001);
        assertThat(e.reason()).isEqualTo("timeout");
        assertThat(e.data().path("pattern").asText()).isEqualTo("never");
        assertThat(e.message()).contains("no match for never").contains("within 100 ms");
    }

    @Test
    void theCallerCancelsItsWait() {
        start(4);
        long wait = waitFor(caller, "never", 60_000);

        caller.notify("notifications/cancelled", "{\"requestId\":" + wait + ",\"reason\":\"enough\"}");

        RpcError e = caller.error(wait);
        assertThat(e.code()).isEqualTo(-32009);
        assertThat(e.message()).contains("enough");
    }

    @Test
    void theTerminalExitingEndsItsWaitsAfterALastLook() {
        start(4);
        long missed = waitFor(caller, "never", 60_000);
        long last = waitFor(caller, "goodbye", 60_000);
        read(); // behind both waits on the caller's queue: they wait now

        pty.print("goodbye\r\n");
        pty.exit(3);

        assertThat(caller.result(last).path("match").asText()).isEqualTo("goodbye");
        RpcError e = caller.error(missed);
        assertThat(e.code()).isEqualTo(-32007);
        assertThat(e.reason()).isEqualTo("terminal_exited");
        assertThat(e.data().path("exitCode").asInt()).isEqualTo(3);
    }

    @Test
    void aCallerThatLeavesFreesItsPlaceAmongTheWaits() {
        start(1);
        TestPeer leaving = TestPeer.unix(core, 1002);
        waitFor(leaving, "never", 60_000);
        // Its second wait is refused once its first holds the only place.
        assertThat(leaving.error(waitFor(leaving, "never", 60_000)).code()).isEqualTo(-32008);
        RpcError full = caller.error(waitFor(caller, "never", 60_000));
        assertThat(full.code()).isEqualTo(-32008);
        assertThat(full.reason()).isEqualTo("too_many_waits");

        leaving.close();

        long again = waitFor(caller, "now", 60_000);
        pty.print("now\r\n");
        assertThat(caller.result(again).path("match").asText()).isEqualTo("now");
    }
}
