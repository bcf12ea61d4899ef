package dev.agentwire.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentwire.server.testing.HubProcess;
import dev.agentwire.server.testing.RawConnection;
import dev.agentwire.server.testing.TestHubs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every directory the hub makes is 0700 and every file 0600 whatever the umask (issue 11, finding 9): a hub in a
 * child JVM started through {@code sh -c 'umask 000; exec java ...'}; files an earlier hub left with a wider mode
 * are tightened at start.
 */
class UmaskTest {

    private static final List<String> STATE_FILES =
            List.of("token", "router-spend.json", "revoked.json", "hub.db", "hub.db-wal", "hub.db-shm");

    /** A hub process under umask 000, and the socket it printed. */
    private record Child(Process process, Path socket, StringBuilder output) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            process.getOutputStream().close();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static Child startUnderUmask000(Path home, String... settings) throws Exception {
        List<String> javaCmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                HubProcess.class.getName(),
                home.toString()));
        javaCmd.addAll(List.of(settings));
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "umask 000; exec \"$@\"", "sh"));
        cmd.addAll(javaCmd);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder output = new StringBuilder();
        BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Path socket = CompletableFuture.supplyAsync(() -> {
                    try {
                        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                            output.append(line).append('\n');
                            if (line.startsWith(HubProcess.READY)) {
                                return Path.of(line.substring(HubProcess.READY.length()));
                            }
                        }
                    } catch (IOException e) {
                        output.append(e);
                    }
                    return null;
                })
                .get(60, TimeUnit.SECONDS);
        assertThat(socket).as("the hub under umask 000 started:\n%s", output).isNotNull();
        // Keep draining its output so that it never blocks on a full pipe.
        CompletableFuture.runAsync(() -> {
            try {
                lines.transferTo(Writer.nullWriter());
            } catch (IOException e) {
                // the process ended
            }
        });
        return new Child(p, socket, output);
    }

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
        try (Child hub = startUnderUmask000(home, "services.sockets=x")) {
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
        try (Child hub = startUnderUmask000(home)) {
            for (String name : STATE_FILES) {
                assertThat(mode(home.resolve(name))).as("file %s", name).isEqualTo("rw-------");
            }
            assertThat(mode(home.resolve("agents"))).isEqualTo("rwx------");
        }
    }
}
