package dev.agentwire.cli;

import static dev.agentwire.cli.AwRunner.aw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** aw errno: names, numbers of three systems, the table checked against Python's errno module. */
class ErrnoCommandTest {

    @Test
    void explainsByNameAndByNumber() {
        AwRunner.Result r = aw("errno", "ECONNREFUSED");
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .contains(
                        "ECONNREFUSED (111 on Linux, 61 on macOS, WSAECONNREFUSED 10061 on Windows): Connection refused")
                .contains("the hub died and left the file behind")
                .contains("aw doctor");
        assertThat(aw("errno", "111").out()).startsWith("ECONNREFUSED");
        assertThat(aw("errno", "61", "--os", "macos").out()).startsWith("ECONNREFUSED");
        assertThat(aw("errno", "10061", "--os", "windows").out()).startsWith("ECONNREFUSED");
        assertThat(aw("errno", "WSAECONNREFUSED").out()).startsWith("ECONNREFUSED");
        assertThat(aw("errno", "ewouldblock").out()).startsWith("EAGAIN");
        assertThat(aw("errno", "ENAMETOOLONG").out()).contains("sun_path", "107 bytes");
        assertThat(aw("errno", "EACCES").out()).contains("0600", "server.socket.mode");
        assertThat(aw("errno", "--list").out().lines().count()).isGreaterThan(35);
    }

    @Test
    void badInputGetsAClearError() {
        AwRunner.Result r = aw("errno", "EWHATEVER");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("unknown errno EWHATEVER", "--list");
        r = aw("errno", "99999");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("unknown errno 99999 on linux");
        r = aw("errno", "1", "--os", "plan9");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--os must be linux, macos or windows");
    }

    @Test
    void linuxNumbersMatchPythonsErrnoModule() throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("python3", "-c", "import errno, json; print(json.dumps(errno.errorcode))")
                    .redirectErrorStream(true)
                    .start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "needs python3 (CI installs it)");
            return;
        }
        JsonNode codes = dev.agentwire.protocol.Json.mapper()
                .readTree(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        p.waitFor();
        for (JsonNode e : ErrnoCommand.table()) {
            assertThat(codes.path(e.path("linux").asText()).asText())
                    .as(e.path("name").asText())
                    .isIn(e.path("name").asText(), e.path("aliases").path(0).asText("-"));
        }
    }
}
