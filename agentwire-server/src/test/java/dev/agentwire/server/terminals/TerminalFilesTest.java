package dev.agentwire.server.terminals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.RpcException;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.TestHubs;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The files of terminal sessions (issue 11, finding 9): {@code control/} and each session's directory are the
 * hub user's alone (0700), {@code session.json} and {@code output.cast} 0600, and a symbolic link planted where
 * the hub writes is replaced, never followed.
 */
class TerminalFilesTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private Path base;
    private AgentwireHub hub;
    private AgentwireClient client;

    @BeforeEach
    void start() throws Exception {
        base = TestHubs.shortTempDir();
        hub = TestHubs.start(base, b -> b.set("terminals.cleanupDelaySeconds", "3600"));
        client = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect();
    }

    @AfterEach
    void stop() {
        client.close();
        hub.close();
    }

    private JsonNode call(String method, String params) throws Exception {
        return client.request(method, Json.mapper().readTree(params)).get(30, TimeUnit.SECONDS);
    }

    private Path control() {
        return hub.config().home().resolve("control");
    }

    static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    private String spawnSleep() throws Exception {
        String id = call("terminals/spawn", "{\"command\":[\"sleep\",\"1000\"]}")
                .path("id")
                .asText();
        await().atMost(WAIT).until(() -> Files.exists(control().resolve(id).resolve("session.json")));
        return id;
    }

    @Test
    void controlAndSessionDirectoriesAre0700AndTheirFiles0600() throws Exception {
        String id = spawnSleep();
        Path dir = control().resolve(id);
        assertThat(mode(control())).isEqualTo("rwx------");
        assertThat(mode(dir)).isEqualTo("rwx------");
        assertThat(mode(dir.resolve("session.json"))).isEqualTo("rw-------");
        assertThat(mode(dir.resolve("output.cast"))).isEqualTo("rw-------");
        // Rewritten on every change, and still private.
        call("terminals/title", "{\"id\":\"" + id + "\",\"title\":\"renamed\"}");
        assertThat(mode(dir.resolve("session.json"))).isEqualTo("rw-------");
    }

    @Test
    void aControlDirectoryLeftWideByAnEarlierHubIsTightenedAtStart() throws Exception {
        client.close();
        hub.close();
        Files.createDirectories(control());
        Files.setPosixFilePermissions(control(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path old = control().resolve("0123456789abcdef0123456789abcdef");
        Files.createDirectories(old);
        Files.setPosixFilePermissions(old, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(old.resolve("session.json"), "{\"status\":\"exited\",\"pid\":-1}");
        Files.setPosixFilePermissions(old.resolve("session.json"), PosixFilePermissions.fromString("rw-r--r--"));
        hub = TestHubs.start(base, b -> b.set("terminals.cleanupDelaySeconds", "3600"));
        client = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect();
        assertThat(mode(control())).isEqualTo("rwx------");
        assertThat(mode(old)).isEqualTo("rwx------");
        assertThat(mode(old.resolve("session.json"))).isEqualTo("rw-------");
    }

    @Test
    void aLinkPlantedAsTheTemporarySessionJsonIsReplacedNotFollowed() throws Exception {
        String id = spawnSleep();
        Path dir = control().resolve(id);
        Path victim = Files.writeString(base.resolve("victim.txt"), "precious");
        Files.createSymbolicLink(dir.resolve("session.json.tmp"), victim);
        call("terminals/title", "{\"id\":\"" + id + "\",\"title\":\"after the plant\"}");
        assertThat(Files.readString(victim)).isEqualTo("precious");
        assertThat(Files.isSymbolicLink(dir.resolve("session.json"))).isFalse();
        assertThat(Json.mapper()
                        .readTree(dir.resolve("session.json").toFile())
                        .path("title")
                        .asText())
                .isEqualTo("after the plant");
        assertThat(mode(dir.resolve("session.json"))).isEqualTo("rw-------");
    }

    @Test
    void aForwarderRegisteringWhereLinksWerePlantedWritesFilesOfItsOwn() throws Exception {
        String id = "00112233445566778899aabbccddeeff";
        Path dir = control().resolve(id);
        Files.createDirectories(dir);
        Path castVictim = Files.writeString(base.resolve("cast-victim.txt"), "precious cast");
        Path jsonVictim = Files.writeString(base.resolve("json-victim.txt"), "precious json");
        Files.createSymbolicLink(dir.resolve("output.cast"), castVictim);
        Files.createSymbolicLink(dir.resolve("session.json"), jsonVictim);
        Files.createSymbolicLink(dir.resolve("session.json.tmp"), jsonVictim);
        call(
                "terminals/register",
                "{\"id\":\"" + id + "\",\"command\":[\"sleep\",\"1000\"],\"cols\":80,\"rows\":24,\"pid\":"
                        + ProcessHandle.current().pid() + ",\"scrollback\":\"hello\"}");
        assertThat(Files.readString(castVictim)).isEqualTo("precious cast");
        assertThat(Files.readString(jsonVictim)).isEqualTo("precious json");
        assertThat(Files.isSymbolicLink(dir.resolve("output.cast"))).isFalse();
        assertThat(Files.isSymbolicLink(dir.resolve("session.json"))).isFalse();
        assertThat(mode(dir)).isEqualTo("rwx------");
        assertThat(mode(dir.resolve("output.cast"))).isEqualTo("rw-------");
        assertThat(mode(dir.resolve("session.json"))).isEqualTo("rw-------");
    }

    @Test
    void aSessionIdFromAClientNeverNamesAPathOutsideControl() throws Exception {
        for (String method : new String[] {"terminals/register", "terminals/attach", "terminals/wait"}) {
            try {
                call(method, "{\"id\":\"../../escaped\",\"command\":[\"sleep\",\"1\"],\"pattern\":\"x\",\"pid\":1}");
                throw new AssertionError(method + " took ../../escaped");
            } catch (ExecutionException e) {
                RpcException error = (RpcException) e.getCause();
                assertThat(error.code()).as(method).isEqualTo(-32602);
                assertThat(error.getMessage()).as(method).contains("32 lower-case hex digits");
            }
        }
        assertThat(hub.config().home().resolve("escaped")).doesNotExist();
        assertThat(base.resolve("escaped")).doesNotExist();
    }
}
