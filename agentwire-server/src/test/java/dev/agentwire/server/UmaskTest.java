package dev.agentwire.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentwire.server.testing.ChildHub;
import dev.agentwire.server.testing.RawConnection;
import dev.agentwire.server.testing.TestHubs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every directory the hub makes is 0700 and every file 0600 whatever the umask (issue 11, finding 9): a hub in a
 * child JVM started through {@code sh -c 'umask 000; exec java ...'}; files an earlier hub left with a wider mode
 * are tightened at start.
 */
class UmaskTest {

    private static final List<String> STATE_FILES =
            List.of("token", "router-spend.json", "revoked.json", "hub.db", "hub.db-wal", "hub.db-shm");

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    /** Makes the hub write revoked.json and router-spend.json. */
    private static void writeEveryStateFile(Path socket) throws Exception {
        try (RawConnection c = RawConnection.unix(socket)) {
            String jti = c.request(1, "tokens/create", "{\"sub\":\"t\",\"scopes\":[\"rooms:read:*\"]}")
                    .readJson()
                    .path("result")
                    .path("jti")
                    .asText();
            assertThat(c.request(2, "tokens/revoke", "{\"jti\":\"" + jti + "\"}")
                            .readJson()
                            .has("result"))
                    .isTrue();
            assertThat(c.request(3, "router/record", "{\"provider\":\"Claude Sonnet 4\",\"tokens\":1000}")
                            .readJson()
                            .has("result"))
                    .isTrue();
            assertThat(c.request(4, "rooms/join", "{\"room\":\"lobby\"}")
                            .readJson()
                            .has("result"))
                    .isTrue();
            assertThat(c.request(5, "rooms/publish", "{\"room\":\"lobby\",\"text\":\"hi\"}")
                            .readJson()
                            .has("result"))
                    .isTrue();
        }
    }

    @Test
    void everythingTheHubMakesIsPrivateUnderUmask000() throws Exception {
        Path made = TestHubs.shortTempDir().resolve("made");
        Path home = made.resolve("home");
        try (ChildHub hub = ChildHub.startUnderUmask(home, "000", "services.sockets=x")) {
            writeEveryStateFile(hub.socket());
            for (Path dir : List.of(made, home, home.resolve("agents"))) {
                assertThat(mode(dir)).as("directory %s", dir).isEqualTo("rwx------");
            }
            for (String file : List.of(
                    "token",
                    "hub.json",
                    "hub.db",
                    "hub.db-wal",
                    "hub.db-shm",
                    "revoked.json",
                    "router-spend.json",
                    "hub.sock",
                    "api.sock",
                    "control.sock",
                    "agents/x.sock")) {
                assertThat(mode(home.resolve(file))).as("file %s", file).isEqualTo("rw-------");
            }
        }
    }

    @Test
    void filesAnEarlierHubLeftWiderAreTightenedAtStart() throws Exception {
        Path home = TestHubs.shortTempDir().resolve("home");
        Files.createDirectory(home);
        Files.writeString(home.resolve("token"), "d".repeat(64) + "\n");
        Files.writeString(home.resolve("router-spend.json"), "{\"day\":\"2026-01-01\",\"spend\":1.5}");
        Files.writeString(home.resolve("revoked.json"), "{}");
        Files.createFile(home.resolve("hub.db"));
        Files.createFile(home.resolve("hub.db-wal"));
        Files.createFile(home.resolve("hub.db-shm"));
        Files.createDirectory(home.resolve("agents"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        for (String name : STATE_FILES) {
            Files.setPosixFilePermissions(home.resolve(name), PosixFilePermissions.fromString("rw-r--r--"));
        }
        Files.setPosixFilePermissions(home.resolve("agents"), PosixFilePermissions.fromString("rwxr-xr-x"));
        try (ChildHub hub = ChildHub.startUnderUmask(home, "000")) {
            for (String name : STATE_FILES) {
                assertThat(mode(home.resolve(name))).as("file %s", name).isEqualTo("rw-------");
            }
            assertThat(mode(home.resolve("agents"))).isEqualTo("rwx------");
        }
    }
}
