package dev.agentwire.server.terminals;

import static dev.agentwire.server.terminals.TerminalFilesTest.mode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.ChildHub;
import dev.agentwire.server.testing.TestHubs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A hub killed with SIGKILL (issue 11, finding 9): the terminals it spawned must not live on as orphans, and
 * their {@code session.json} must not go on saying {@code running}. The next hub on the same home kills what it
 * can prove is its own (the recorded pid with the recorded start time, and that process's session) and marks
 * the sessions exited with a reason; a forwarder's process ({@code aw run}: the user's own terminal) is left
 * alone, and so is a process that merely reuses a recorded pid. The first hub runs under umask 000 in a process
 * of its own, so the file modes are the ones the hub sets, not the ones a umask leaves.
 */
class HubCrashTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private ChildHub first;
    private AgentwireHub second;
    private Process ours;

    @AfterEach
    void stop() throws Exception {
        if (first != null) {
            first.kill();
        }
        if (second != null) {
            second.close();
        }
        if (ours != null) {
            ours.destroyForcibly();
        }
    }

    /** Starts a hub process on {@code home} under {@code umask}; its endpoint once it listens. */
    private String startHubProcess(Path home, String umask) throws Exception {
        first = ChildHub.startUnderUmask(home, umask, "terminals.cleanupDelaySeconds=3600");
        return first.endpoint();
    }

    private static JsonNode call(AgentwireClient c, String method, String params) throws Exception {
        return c.request(method, Json.mapper().readTree(params)).get(30, TimeUnit.SECONDS);
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static JsonNode sessionJson(Path home, String id) throws Exception {
        return Json.mapper()
                .readTree(home.resolve("control")
                        .resolve(id)
                        .resolve("session.json")
                        .toFile());
    }

    @Test
    void theNextHubKillsTheOrphansOfAKilledHubAndLeavesForwardersAlone() throws Exception {
        Path home = TestHubs.shortTempDir().resolve("home");
        String endpoint = startHubProcess(home, "000");
        String plain;
        String stubborn;
        String forwarded = "00112233445566778899aabbccddeeff";
        long plainPid;
        long stubbornPid;
        long memberPid;
        ours = new ProcessBuilder("sleep", "1003").start();
        // Open until the hub dies: a forwarder that disconnects ends its session, and this one must not.
        AgentwireClient c =
                AgentwireClient.builder().endpoint(endpoint).reconnect(false).connect();
        {
            JsonNode r = call(c, "terminals/spawn", "{\"command\":[\"sleep\",\"1000\"]}");
            plain = r.path("id").asText();
            plainPid = r.path("pid").asLong();
            // A program that ignores the hangup its terminal gets when the hub dies, with a child in its session.
            r = call(
                    c,
                    "terminals/spawn",
                    "{\"command\":[\"sh\",\"-c\",\"trap '' HUP; sleep 1001 & echo started; exec sleep 1002\"]}");
            stubborn = r.path("id").asText();
            stubbornPid = r.path("pid").asLong();
            call(c, "terminals/wait", "{\"id\":\"" + stubborn + "\",\"pattern\":\"started\",\"timeoutMs\":20000}");
            await().atMost(WAIT)
                    .until(() -> ProcessHandle.of(stubbornPid)
                            .flatMap(p -> p.children().findFirst())
                            .isPresent());
            memberPid = ProcessHandle.of(stubbornPid)
                    .flatMap(p -> p.children().findFirst())
                    .orElseThrow()
                    .pid();
            // What aw run does: the process runs in the user's terminal, the hub only shows it.
            call(
                    c,
                    "terminals/register",
                    "{\"id\":\"" + forwarded + "\",\"command\":[\"sleep\",\"1003\"],\"cols\":80,\"rows\":24,\"pid\":"
                            + ours.pid() + "}");
            // Modes the hub set, whatever the umask (000 here).
            Path control = home.resolve("control");
            assertThat(mode(control)).isEqualTo("rwx------");
            for (String id : List.of(plain, stubborn, forwarded)) {
                assertThat(mode(control.resolve(id))).as(id).isEqualTo("rwx------");
                assertThat(mode(control.resolve(id).resolve("session.json")))
                        .as(id)
                        .isEqualTo("rw-------");
                assertThat(mode(control.resolve(id).resolve("output.cast")))
                        .as(id)
                        .isEqualTo("rw-------");
            }
        }

        first.kill(); // SIGKILL: no shutdown hook, no cleanup
        c.close();
        // The orphans: a program that ignores SIGHUP outlives its hub, and its files say it runs.
        assertThat(alive(stubbornPid))
                .as("the stubborn terminal outlived its hub")
                .isTrue();
        assertThat(alive(memberPid)).as("so did its child").isTrue();
        assertThat(sessionJson(home, stubborn).path("status").asText()).isEqualTo("running");

        second = AgentwireHub.builder()
                .home(home)
                .set("clientPort", "0")
                .set("terminals.cleanupDelaySeconds", "3600")
                .build()
                .start();
        await().atMost(WAIT).until(() -> !alive(stubbornPid) && !alive(memberPid) && !alive(plainPid));
        for (String id : List.of(plain, stubborn)) {
            JsonNode s = sessionJson(home, id);
            assertThat(s.path("status").asText()).as(id).isEqualTo("exited");
            assertThat(s.path("exitReason").asText()).as(id).isNotBlank();
        }
        assertThat(sessionJson(home, stubborn).path("exitReason").asText()).contains("killed");
        // The user's own terminal goes on; its forwarder will register it again.
        assertThat(ours.isAlive()).as("the forwarder's process").isTrue();
        assertThat(sessionJson(home, forwarded).path("status").asText()).isEqualTo("running");
    }

    @Test
    void aRecordedPidNowUsedByAnotherProcessIsNotKilled() throws Exception {
        Path home = TestHubs.shortTempDir().resolve("home");
        ours = new ProcessBuilder("sleep", "1004").start();
        long started = ours.info().startInstant().orElseThrow().toEpochMilli();
        String id = "0123456789abcdef0123456789abcdef";
        Path dir = home.resolve("control").resolve(id);
        Files.createDirectories(dir);
        // A session of an earlier hub whose process ended; the pid now names someone else's process.
        Files.writeString(
                dir.resolve("session.json"),
                "{\"id\":\"" + id + "\",\"status\":\"running\",\"origin\":\"spawn\",\"pid\":" + ours.pid()
                        + ",\"processStartedAt\":" + (started - 60_000) + "}");
        second = AgentwireHub.builder()
                .home(home)
                .set("clientPort", "0")
                .set("terminals.cleanupDelaySeconds", "3600")
                .build()
                .start();
        JsonNode s = sessionJson(home, id);
        assertThat(s.path("status").asText()).isEqualTo("exited");
        assertThat(s.path("exitReason").asText()).contains("gone");
        assertThat(ours.isAlive()).isTrue();
        assertThat(Optional.of(ours.pid()).filter(HubCrashTest::alive)).isPresent();
    }
}
