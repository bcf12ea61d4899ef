package dev.agentwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.core.rpc.Method;
import dev.agentwire.netty.NettyTransport;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.testing.RawConnection;
import dev.agentwire.server.testing.TestHubs;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Socket files: stale ones, live ones, long paths, abstract names, and a graceful shutdown. */
class SocketLifecycleTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Leaves a socket file with nothing listening on it, as a hub killed with -9 does. */
    private static void leaveStaleSocket(Path path) throws Exception {
        Files.createDirectories(path.getParent());
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(path));
        s.close(); // the JDK leaves the file behind
        assertThat(path).exists();
    }

    @Test
    void aStaleSocketFileIsRemovedAfterAFailedProbe() throws Exception {
        Path dir = TestHubs.shortTempDir();
        Path sock = dir.resolve("s.sock");
        leaveStaleSocket(sock);
        try (AgentwireHub hub = TestHubs.start(dir, b -> b.set("server.socket.path", sock.toString()));
                RawConnection c = RawConnection.unix(sock)) {
            assertThat(hub.config().socketPath()).isEqualTo(sock);
            assertThat(c.request(1, "hub/ping", null).readJson().has("result")).isTrue();
        }
        assertThat(sock).doesNotExist();
    }

    @Test
    void aStaleSocketIsKeptAndReportedWhenCleanupIsOff() throws Exception {
        Path dir = TestHubs.shortTempDir();
        Path sock = dir.resolve("s.sock");
        leaveStaleSocket(sock);
        assertThatThrownBy(() -> TestHubs.start(
                        dir, b -> b.set("server.socket.path", sock.toString()).set("server.socket.cleanup", "false")))
                .isInstanceOf(HubStartException.class)
                .hasMessageContaining("stale socket " + sock)
                .hasMessageContaining("server.socket.cleanup");
        assertThat(sock).exists();
    }

    @Test
    void aLiveHubsSocketIsNotStolen() throws Exception {
        Path dir = TestHubs.shortTempDir();
        try (AgentwireHub first = TestHubs.start(dir)) {
            Path sock = first.config().socketPath();
            assertThatThrownBy(() -> TestHubs.start(dir))
                    .isInstanceOf(HubStartException.class)
                    .hasMessage(
                            "already running (pid " + ProcessHandle.current().pid() + ", socket " + sock + ")");
            try (RawConnection c = RawConnection.unix(sock)) {
                assertThat(c.request(1, "hub/ping", null).readJson().has("result"))
                        .as("the first hub still answers")
                        .isTrue();
            }
        }
    }

    @Test
    void aFileThatIsNotASocketIsRefused() throws Exception {
        Path dir = TestHubs.shortTempDir();
        Path file = dir.resolve("notasocket");
        Files.writeString(file, "keep me");
        assertThatThrownBy(() -> TestHubs.start(dir, b -> b.set("server.socket.path", file.toString())))
                .isInstanceOf(HubStartException.class)
                .hasMessageContaining("is not a socket");
        assertThat(Files.readString(file)).isEqualTo("keep me");
    }

    @Test
    void aTooLongSocketPathIsAClearError() throws Exception {
        Path dir = TestHubs.shortTempDir();
        String longPath = dir.resolve("x".repeat(120) + ".sock").toString();
        assertThatThrownBy(() -> TestHubs.start(dir, b -> b.set("server.socket.path", longPath)))
                .isInstanceOf(HubStartException.class)
                .hasMessageContaining(longPath)
                .hasMessageContaining("at most 107 bytes (sun_path)");
    }

    @Test
    void anAbstractSocketWorksAndIsNotBoundTwice() throws Exception {
        assumeTrue(NettyTransport.detect().supportsAbstract(), "abstract sockets need Linux with native epoll");
        Path dir = TestHubs.shortTempDir();
        String name = "aw-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (AgentwireHub hub = TestHubs.start(
                        dir, b -> b.set("server.socket.abstract", "true").set("server.socket.path", name));
                AgentwireClient client = AgentwireClient.builder()
                        .endpoint("unix:@" + name)
                        .reconnect(false)
                        .connect()) {
            assertThat(hub.endpoint()).isEqualTo("unix:@" + name);
            assertThat(client.request("hub/ping")
                            .get(10, TimeUnit.SECONDS)
                            .path("pong")
                            .asBoolean())
                    .isTrue();
            assertThat(Files.readString(Path.of("/proc/net/unix"))).contains("@" + name);
            assertThat(hub.config().socketPath()).doesNotExist();
            Path other = TestHubs.shortTempDir();
            assertThatThrownBy(() -> TestHubs.start(
                            other, b -> b.set("server.socket.abstract", "true").set("server.socket.path", name)))
                    .isInstanceOf(HubStartException.class)
                    .hasMessageContaining("already running")
                    .hasMessageContaining("@" + name);
        }
    }

    @Test
    void shutdownTellsPeersFinishesInFlightCallsAndRemovesItsFiles() throws Exception {
        Path dir = TestHubs.shortTempDir();
        // A grace far longer than the test's steps: with the 2 s of the other tests a loaded machine could let
        // it pass between the shutdown event and the answer, and the hub then rightly drops the call.
        AgentwireHub hub = TestHubs.start(dir, b -> b.set("limits.shutdownGraceMs", "60000"));
        CompletableFuture<JsonNode> slow = new CompletableFuture<>();
        hub.core()
                .registry()
                .register(Method.of("test/slow", dev.agentwire.core.rpc.Access.authenticated(), call -> slow));
        Path sock = hub.config().socketPath();
        Path hubJson = hub.config().home().resolve("hub.json");
        try (RawConnection c = RawConnection.unix(sock)) {
            c.request(1, "test/slow", null);
            await().atMost(WAIT).until(() -> hub.core().inflight() == 1);
            Thread closer = new Thread(hub::close);
            closer.start();
            JsonNode event = c.readJson();
            assertThat(event.path("method").asText()).isEqualTo("events/event");
            assertThat(event.path("params").path("category").asText()).isEqualTo("system");
            assertThat(event.path("params").path("action").asText()).isEqualTo("shutdown");
            slow.complete(Json.mapper().getNodeFactory().textNode("done"));
            JsonNode reply = c.readJson();
            assertThat(reply.path("id").asInt()).isEqualTo(1);
            assertThat(reply.path("result").asText()).isEqualTo("done");
            c.assertClosedWithin(WAIT);
            closer.join(WAIT.toMillis());
            assertThat(closer.isAlive()).isFalse();
        }
        assertThat(sock).doesNotExist();
        assertThat(hubJson).doesNotExist();
        assertThat(hub.config().home().resolve("token")).exists();
    }

    @Test
    void aConfiguredGroupIsGivenToTheSocketFile() throws Exception {
        java.nio.file.attribute.GroupPrincipal daemon;
        try {
            daemon = java.nio.file.FileSystems.getDefault()
                    .getUserPrincipalLookupService()
                    .lookupPrincipalByGroupName("daemon");
        } catch (java.io.IOException e) {
            org.junit.jupiter.api.Assumptions.abort("no group named daemon here: " + e);
            return;
        }
        Path dir = TestHubs.shortTempDir();
        try (AgentwireHub hub =
                TestHubs.start(dir, b -> b.set("server.socket.group", "daemon").set("server.socket.mode", "0660"))) {
            var attrs =
                    Files.readAttributes(hub.config().socketPath(), java.nio.file.attribute.PosixFileAttributes.class);
            assertThat(attrs.group()).isEqualTo(daemon);
        }
        assertThatThrownBy(() ->
                        TestHubs.start(TestHubs.shortTempDir(), b -> b.set("server.socket.group", "no-such-group-x")))
                .isInstanceOf(HubStartException.class)
                .hasMessageContaining("no-such-group-x");
    }
}
