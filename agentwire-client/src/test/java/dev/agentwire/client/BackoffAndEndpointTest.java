package dev.agentwire.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackoffAndEndpointTest {

    @Test
    void backoffDoublesFromOneSecondAndCapsAtThirty() {
        BackoffPolicy p = BackoffPolicy.exponential(Duration.ofSeconds(1), Duration.ofSeconds(30), 0, () -> 0.5);
        assertThat(p.delay(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.delay(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(p.delay(5)).isEqualTo(Duration.ofSeconds(16));
        assertThat(p.delay(6)).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.delay(1000)).isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> p.delay(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void jitterStaysWithinItsBand() {
        BackoffPolicy low = BackoffPolicy.exponential(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2, () -> 0.0);
        BackoffPolicy high =
                BackoffPolicy.exponential(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2, () -> 0.999999);
        assertThat(low.delay(3)).isEqualTo(Duration.ofMillis(3200));
        assertThat(high.delay(3)).isEqualTo(Duration.ofMillis(4800));
        for (int i = 1; i < 20; i++) {
            assertThat(BackoffPolicy.exponential().delay(i)).isBetween(Duration.ofMillis(800), Duration.ofSeconds(36));
        }
        assertThatThrownBy(() -> BackoffPolicy.exponential(Duration.ofSeconds(1), Duration.ofSeconds(2), 1.5, () -> 0))
                .hasMessageContaining("jitter");
    }

    @Test
    void parsesEveryEndpointForm() {
        assertThat(Endpoint.parse("unix:/tmp/hub.sock"))
                .isEqualTo(new Endpoint(Endpoint.Kind.UNIX, "/tmp/hub.sock", 0));
        assertThat(Endpoint.parse("/tmp/hub.sock").kind()).isEqualTo(Endpoint.Kind.UNIX);
        assertThat(Endpoint.parse("unix:@agentwire")).isEqualTo(new Endpoint(Endpoint.Kind.ABSTRACT, "agentwire", 0));
        assertThat(Endpoint.parse("tcp://127.0.0.1:8765"))
                .isEqualTo(new Endpoint(Endpoint.Kind.TCP, "127.0.0.1", 8765));
        assertThat(Endpoint.parse("unix:@x").toString()).isEqualTo("unix:@x");
        assertThatThrownBy(() -> Endpoint.parse("tcp://localhost")).hasMessageContaining("tcp://host:port");
        assertThatThrownBy(() -> Endpoint.parse("unix:@")).hasMessageContaining("empty");
        assertThatThrownBy(() -> Endpoint.parse("http://x:1")).hasMessageContaining("expected");
        assertThatThrownBy(() -> Endpoint.parse("")).hasMessageContaining("required");
    }

    @Test
    void discoversTheSocketFromHubJsonOrFallsBackToTheDefaultPath(@TempDir Path home) throws Exception {
        assertThat(Endpoint.discover(home))
                .isEqualTo(new Endpoint(
                        Endpoint.Kind.UNIX, home.resolve("hub.sock").toString(), 0));
        Files.writeString(home.resolve("hub.json"), "{\"pid\":1,\"sockets\":{\"hub\":\"@named\"}}");
        assertThat(Endpoint.discover(home)).isEqualTo(new Endpoint(Endpoint.Kind.ABSTRACT, "named", 0));
        Files.writeString(home.resolve("hub.json"), "not json");
        assertThat(Endpoint.discover(home).kind()).isEqualTo(Endpoint.Kind.UNIX);
    }
}
