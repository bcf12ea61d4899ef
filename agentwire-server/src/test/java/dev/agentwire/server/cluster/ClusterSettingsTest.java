package dev.agentwire.server.cluster;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.HubStartException;
import dev.agentwire.server.testing.TestHubs;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bad cluster settings stop the hub at its start with an error that names them, and leave nothing behind. */
class ClusterSettingsTest {

    private Path dir;
    private final java.util.List<Path> dirs = new java.util.ArrayList<>();

    @AfterEach
    void clean() throws Exception {
        for (Path d : dirs) {
            try (var files = java.nio.file.Files.walk(d)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    private AgentwireHub start(String... settings) throws Exception {
        dir = TestHubs.shortTempDir();
        dirs.add(dir);
        return TestHubs.start(dir, b -> {
            for (int i = 0; i < settings.length; i += 2) {
                b.set(settings[i], settings[i + 1]);
            }
            return b;
        });
    }

    @Test
    void aRedisThatIsNotThereStopsTheStartNamingTheUri() throws Exception {
        int nobody;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            nobody = s.getLocalPort();
        }
        String uri = "redis://127.0.0.1:" + nobody;

        assertThatThrownBy(() -> start("cluster.redis", uri, "cluster.timeoutMs", "500"))
                .isInstanceOf(HubStartException.class)
                .hasMessageContaining("cluster.redis " + uri)
                .hasMessageContaining("not reachable");
        assertThat(java.nio.file.Files.exists(dir.resolve("home").resolve("hub.sock")))
                .as("no socket left")
                .isFalse();
    }

    @Test
    void aUriThatIsNotRedisAndBadNumbersAreRefused() {
        assertThatThrownBy(() -> start("cluster.redis", "mysql://127.0.0.1:3306"))
                .hasMessageContaining("cluster.redis mysql://127.0.0.1:3306")
                .hasMessageContaining("redis://host:port");
        assertThatThrownBy(() -> start("cluster.redis", "redis://127.0.0.1:1", "cluster.hubId", "has spaces"))
                .hasMessageContaining("cluster.hubId");
        assertThatThrownBy(() -> start(
                        "cluster.redis",
                        "redis://127.0.0.1:1",
                        "cluster.heartbeatMs",
                        "3000",
                        "cluster.deadAfterMs",
                        "4000"))
                .hasMessageContaining("cluster.deadAfterMs");
    }

    private static <T> org.assertj.core.api.AbstractBooleanAssert<?> assertThat(boolean b) {
        return org.assertj.core.api.Assertions.assertThat(b);
    }
}
