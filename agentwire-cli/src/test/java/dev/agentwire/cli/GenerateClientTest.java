package dev.agentwire.cli;

import static dev.agentwire.cli.AwRunner.aw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentwire.server.AgentwireHub;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every generated client, built or run for real against a live hub, prints the hub's answer. */
class GenerateClientTest {

    private Path dir;
    private Path home;
    private AgentwireHub hub;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "awgen");
        home = dir.resolve("home");
        hub = AgentwireHub.builder().home(home).set("clientPort", "0").build().start();
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private Path generate(String language, String file) {
        Path out = dir.resolve(file);
        AwRunner.Result r = aw("generate", "client", "--language", language, "--output", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        return out;
    }

    private String run(String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("AGENTWIRE_HOME", home.toString());
        pb.environment().put("HOME", dir.toString()); // go needs a writable cache
        pb.environment().put("GOCACHE", dir.resolve("gocache").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
        return out;
    }

    private static boolean has(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }

    private static void pong(String out) {
        assertThat(out).contains("\"id\":2").contains("\"pong\":true");
    }

    @Test
    void c() throws Exception {
        assumeTrue(has("cc"), "needs a C compiler (CI installs gcc)");
        Path src = generate("c", "client.c");
        run("cc", "-O2", "-Wall", "-Werror", "-o", "c-client", src.toString());
        pong(run(dir.resolve("c-client").toString()));
        assertThat(run(dir.resolve("c-client").toString(), "hub/status")).contains("\"hub\":\"agentwire\"");
    }

    @Test
    void python() throws Exception {
        assumeTrue(has("python3"), "needs python3 (CI installs it)");
        pong(run("python3", generate("python", "client.py").toString()));
    }

    @Test
    void node() throws Exception {
        assumeTrue(has("node"), "needs node (the machine has node 20)");
        pong(run("node", generate("node", "client.js").toString()));
    }

    @Test
    void java() throws Exception {
        Path src = generate("java", "Client.java");
        String javac = Path.of(System.getProperty("java.home"), "bin", "javac").toString();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        run(javac, "-d", dir.resolve("classes").toString(), src.toString());
        pong(run(java, "-cp", dir.resolve("classes").toString(), "Client"));
    }

    @Test
    void go() throws Exception {
        assumeTrue(has("go"), "needs go (CI installs golang-go)");
        Path src = generate("go", "client.go");
        run("go", "build", "-o", "go-client", src.toString());
        pong(run(dir.resolve("go-client").toString()));
    }

    @Test
    void bash() throws Exception {
        assumeTrue(has("bash") && (has("socat") || has("nc")), "needs bash and socat or nc (CI installs them)");
        pong(run("bash", generate("bash", "client.sh").toString()));
    }

    @Test
    void stdoutAndBadInput() {
        AwRunner.Result r = aw("generate", "client", "--language", "python");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("#!/usr/bin/env python3").contains("hub/hello");
        r = aw("generate", "client", "--language", "cobol");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("no client template for cobol", "[bash, c, go, java, node, python]");
    }

    @Test
    void aClientWithNoHubSaysSo() throws Exception {
        assumeTrue(has("python3"), "needs python3 (CI installs it)");
        Path src = generate("python", "client.py");
        hub.close();
        ProcessBuilder pb = new ProcessBuilder("python3", src.toString()).redirectErrorStream(true);
        pb.environment().put("AGENTWIRE_HOME", home.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(3);
        assertThat(out).contains("cannot connect to", "aw hub");
    }
}
