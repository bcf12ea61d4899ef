package dev.agentwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentwire.client.AgentwireClient;
import dev.agentwire.netty.NettyTransport;
import dev.agentwire.server.testing.RawConnection;
import dev.agentwire.server.testing.TestHubs;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The NIO transport, the fallback where neither epoll nor kqueue loads: Unix socket, TCP and the peer check. */
class NioFallbackTest {

    @Test
    void theHubAndClientWorkOverNio() throws Exception {
        try (AgentwireHub hub = TestHubs.start(TestHubs.shortTempDir(), b -> b.transport(NettyTransport.NIO));
                AgentwireClient c = AgentwireClient.builder()
                        .endpoint(hub.endpoint())
                        .transport(NettyTransport.NIO)
                        .reconnect(false)
                        .connect();
                AgentwireClient tcp = AgentwireClient.builder()
                        .endpoint("tcp://127.0.0.1:" + hub.tcpPort().getAsInt())
                        .token(hub.token())
                        .transport(NettyTransport.NIO)
                        .reconnect(false)
                        .connect();
                RawConnection raw = RawConnection.unix(hub.config().socketPath())) {
            assertThat(hub.transport()).isEqualTo(NettyTransport.NIO);
            assertThat(c.request("hub/ping")
                            .get(10, TimeUnit.SECONDS)
                            .path("pong")
                            .asBoolean())
                    .isTrue();
            assertThat(tcp.request("hub/ping")
                            .get(10, TimeUnit.SECONDS)
                            .path("pong")
                            .asBoolean())
                    .isTrue();
            int owner = (Integer) java.nio.file.Files.getAttribute(hub.config().home(), "unix:uid");
            assertThat(c.hello().path("peer").path("uid").asInt())
                    .as("NIO learns only the user name; the owner is recognised by it")
                    .isEqualTo(owner);
            assertThat(raw.request(1, "hub/status", null)
                            .readJson()
                            .path("result")
                            .path("transport")
                            .asText())
                    .isEqualTo("nio");
        }
    }

    @Test
    void abstractNamesNeedEpoll() throws Exception {
        assertThatThrownBy(() -> TestHubs.start(
                        TestHubs.shortTempDir(),
                        b -> b.transport(NettyTransport.NIO)
                                .set("server.socket.abstract", "true")
                                .set("server.socket.path", "x")))
                .hasMessageContaining("abstract socket names need Linux with native epoll");
    }
}
