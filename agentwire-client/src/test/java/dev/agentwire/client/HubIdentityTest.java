package dev.agentwire.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentwire.netty.NettyTransport;
import dev.agentwire.netty.PeerCreds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client checks who serves a Unix socket before it sends anything: the hub's uid must be ours or root.
 * The attacks run for real: another user (uid 65534) listens on the abstract name, or on the socket file in
 * the home, first.
 */
class HubIdentityTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Endpoint AT = Endpoint.parse("unix:@agentwire-test");

    private Path dir;

    @BeforeEach
    void dir() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "awid");
    }

    @AfterEach
    void clean() throws Exception {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    private static PeerCreds uid(int uid, long pid) {
        return new PeerCreds(OptionalInt.of(uid), List.of(uid), OptionalLong.of(pid), Optional.empty());
    }

    private static PeerCreds user(String name) {
        return new PeerCreds(OptionalInt.empty(), List.of(), OptionalLong.empty(), Optional.of(name));
    }

    @Test
    void ourUidAndRootAreTrustedAnyOtherIsNot() {
        HubIdentity me = new HubIdentity(OptionalInt.of(1000), Optional.of("me"));
        assertThatCode(() -> me.verify(AT, Optional.of(uid(1000, 42)))).doesNotThrowAnyException();
        assertThatCode(() -> me.verify(AT, Optional.of(uid(0, 42)))).doesNotThrowAnyException();
        UntrustedHubException e =
                catchThrowableOfType(UntrustedHubException.class, () -> me.verify(AT, Optional.of(uid(65534, 77))));
        assertThat(e)
                .hasMessage("refusing unix:@agentwire-test: it is served by uid 65534 (pid 77), not by this user"
                        + " (uid 1000) or root — another user may be impersonating the hub");
        assertThat(e.endpoint()).isEqualTo(AT);
    }

    @Test
    void withOnlyAUserNameTheNameIsCompared() {
        HubIdentity me = new HubIdentity(OptionalInt.empty(), Optional.of("me"));
        assertThatCode(() -> me.verify(AT, Optional.of(user("me")))).doesNotThrowAnyException();
        assertThatCode(() -> me.verify(AT, Optional.of(user("root")))).doesNotThrowAnyException();
        assertThat(catchThrowableOfType(UntrustedHubException.class, () -> me.verify(AT, Optional.of(user("nobody")))))
                .hasMessageContaining("served by user nobody, not by this user (me) or root");
        assertThat(catchThrowableOfType(UntrustedHubException.class, () -> me.verify(AT, Optional.empty())))
                .hasMessageContaining("cannot tell who serves it");
    }

    @Test
    void anImpostorOnTheAbstractNameGetsNothing() throws Exception {
        assumeTrue(Impostor.available(), "needs root, setpriv and /usr/bin/python3 to run as uid 65534");
        assumeTrue(NettyTransport.detect().supportsAbstract(), "abstract names need Linux epoll");
        String name = "aw-impostor-" + ProcessHandle.current().pid();
        try (Impostor impostor = Impostor.listen(dir, "@" + name)) {
            UntrustedHubException e = catchThrowableOfType(
                    UntrustedHubException.class,
                    () -> AgentwireClient.builder()
                            .endpoint("unix:@" + name)
                            .requestTimeout(Duration.ofSeconds(2))
                            .connect());
            assertThat(e)
                    .as("the client refuses the impostor")
                    .isNotNull()
                    .hasMessageStartingWith(
                            "refusing unix:@" + name + ": it is served by uid 65534 (pid " + impostor.pid() + ")")
                    .hasMessageContaining("another user may be impersonating the hub");
            assertThat(impostor.bytesReceived(WAIT))
                    .as("bytes the impostor got")
                    .isZero();
        }
    }

    @Test
    void anImpostorOnTheSocketFileInTheHomeGetsNothing() throws Exception {
        assumeTrue(Impostor.available(), "needs root, setpriv and /usr/bin/python3 to run as uid 65534");
        try (Impostor impostor = Impostor.listen(dir, dir.resolve("hub.sock").toString())) {
            UntrustedHubException e = catchThrowableOfType(
                    UntrustedHubException.class,
                    () -> AgentwireClient.builder()
                            .environment(Map.of("AGENTWIRE_HOME", dir.toString()))
                            .requestTimeout(Duration.ofSeconds(2))
                            .connect());
            assertThat(e).isNotNull().hasMessageContaining("served by uid 65534");
            assertThat(impostor.bytesReceived(WAIT))
                    .as("bytes the impostor got")
                    .isZero();
        }
    }

    @Test
    void onTheNioFallbackTheUserNameGivesTheImpostorAway() throws Exception {
        assumeTrue(Impostor.available(), "needs root, setpriv and /usr/bin/python3 to run as uid 65534");
        try (Impostor impostor = Impostor.listen(dir, dir.resolve("hub.sock").toString())) {
            UntrustedHubException e = catchThrowableOfType(
                    UntrustedHubException.class,
                    () -> AgentwireClient.builder()
                            .endpoint("unix:" + dir.resolve("hub.sock"))
                            .transport(NettyTransport.NIO)
                            .requestTimeout(Duration.ofSeconds(2))
                            .connect());
            assertThat(e).isNotNull().hasMessageContaining("served by user nobody");
            assertThat(impostor.bytesReceived(WAIT))
                    .as("bytes the impostor got")
                    .isZero();
        }
    }
}
