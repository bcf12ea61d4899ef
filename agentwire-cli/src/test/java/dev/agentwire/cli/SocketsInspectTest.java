package dev.agentwire.cli;

import static dev.agentwire.cli.AwRunner.aw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * aw sockets inspect --pid on a Java process the test starts: a listener and a connection whose client side set
 * TCP_NODELAY, SO_KEEPALIVE and SO_SNDBUF; its buffers, TCP info and options as read from outside. Also a process
 * of another user, which cannot be read, and the bad inputs.
 */
class SocketsInspectTest {

    /** The child: listens, connects to itself with options set, sends 1000 bytes nobody reads, waits for stdin. */
    private static final String HOLDER = """
            import java.net.*;
            public class Holder {
                public static void main(String[] a) throws Exception {
                    ServerSocket l = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                    Socket c = new Socket();
                    c.setTcpNoDelay(true);
                    c.setKeepAlive(true);
                    c.setSendBufferSize(65536);
                    c.connect(l.getLocalSocketAddress());
                    Socket s = l.accept();
                    c.getOutputStream().write(new byte[1000]);
                    c.getOutputStream().flush();
                    System.out.println("ready " + l.getLocalPort() + " " + c.getLocalPort());
                    System.out.flush();
                    while (System.in.read() >= 0) {}
                    s.close(); c.close(); l.close();
                }
            }
            """;

    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void stopChildren() throws Exception {
        for (Process p : children) {
            p.getOutputStream().close();
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Starts the holder (under {@code prefix}, e.g. setpriv); returns it and its ports. */
    private Process holder(int[] ports, String... prefix) throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "awholder");
        dir.toFile().setReadable(true, false);
        dir.toFile().setExecutable(true, false);
        Path src = Files.writeString(dir.resolve("Holder.java"), HOLDER);
        src.toFile().setReadable(true, false);
        List<String> cmd = new ArrayList<>(List.of(prefix));
        cmd.addAll(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), src.toString()));
        Process p = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        children.add(p);
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertThat(line).as("the holder's first line").startsWith("ready ");
        String[] f = line.split(" ");
        ports[0] = Integer.parseInt(f[1]);
        ports[1] = Integer.parseInt(f[2]);
        return p;
    }

    private static JsonNode socketWithLocalPort(JsonNode report, int port) {
        for (JsonNode s : report.path("sockets")) {
            if (s.path("local").asText().endsWith(":" + port)
                    && !s.path("state").asText().equals("LISTEN")) {
                return s;
            }
        }
        throw new AssertionError("no socket with local port " + port + " in " + report);
    }

    @Test
    void readsBuffersTcpInfoAndOptionsOfAnotherProcess() throws Exception {
        assumeTrue(ProcNet.available() && Ss.find().isPresent(), "needs Linux's /proc and ss (iproute2)");
        int[] ports = new int[2];
        Process p = holder(ports);
        AwRunner.Result r = aw("sockets", "inspect", "--pid", Long.toString(p.pid()), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode report = Json.mapper().readTree(r.out());
        assertThat(report.path("process").asText()).isEqualTo("java");
        JsonNode client = socketWithLocalPort(report, ports[1]);
        assertThat(client.path("netid").asText()).isEqualTo("tcp");
        assertThat(client.path("state").asText()).isEqualTo("ESTAB");
        assertThat(client.path("optionsFrom").asText()).contains("getsockopt");
        JsonNode options = client.path("options");
        assertThat(options.path("TCP_NODELAY").asInt()).as("Nagle off").isEqualTo(1);
        assertThat(options.path("SO_KEEPALIVE").asInt()).isEqualTo(1);
        assertThat(options.path("SO_SNDBUF").asInt())
                .as("65536 set, doubled by the kernel")
                .isEqualTo(131072);
        assertThat(client.path("memory").path("sendBuffer").asLong()).isEqualTo(131072);
        assertThat(client.path("tcp").path("rttMs").asDouble()).isPositive();
        assertThat(client.path("tcp").path("cwnd").asLong()).isPositive();
        assertThat(client.path("tcp").path("retransmits").asLong()).isZero();
        assertThat(client.path("keepaliveTimer").asText())
                .as("SO_KEEPALIVE arms the timer")
                .isNotEmpty();
        // The accepting side holds the 1000 bytes nobody read, and kept Nagle on.
        JsonNode server = socketWithLocalPort(report, ports[0]);
        assertThat(server.path("recvQ").asLong()).isEqualTo(1000);
        assertThat(server.path("options").path("TCP_NODELAY").asInt()).isZero();

        // One descriptor, the options asked for, and buffer advice.
        int fd = client.path("fd").asInt();
        r = aw(
                "sockets",
                "inspect",
                "--pid",
                Long.toString(p.pid()),
                "--fd",
                Integer.toString(fd),
                "--options",
                "TCP_NODELAY,so_rcvbuf",
                "--bandwidth",
                "1Gbit",
                "--rtt",
                "20ms",
                "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode one = Json.mapper().readTree(r.out()).path("sockets");
        assertThat(one).hasSize(1);
        assertThat(one.get(0).path("options").properties()).hasSize(2);
        assertThat(one.get(0).path("options").has("SO_RCVBUF")).isTrue();
        assertThat(one.get(0).path("bufferAdvice").path("bdpBytes").asLong()).isEqualTo(2_500_000);

        // The text form names Nagle.
        r = aw("sockets", "inspect", "--pid", Long.toString(p.pid()), "--fd", Integer.toString(fd));
        assertThat(r.out()).contains("TCP_NODELAY=1 (Nagle off)", "keepalive timer", "rtt ");
    }

    @Test
    void anotherUsersProcessCannotBeReadAndTheReasonIsSaid() throws Exception {
        assumeTrue(ProcNet.available(), "needs Linux's /proc");
        assumeTrue(
                "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "needs root and setpriv to run a process as another user and aw without privileges");
        int[] ports = new int[2];
        Process other = holder(ports, "setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups");
        // aw as root without capabilities: like any user looking at another user's process.
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--bounding-set", "-all", "--inh-caps", "-all"));
        cmd.addAll(AwRunner.processCommand("sockets", "inspect", "--pid", Long.toString(other.pid()), "--json"));
        Process aw = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(aw.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(aw.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(aw.exitValue()).as(out).isEqualTo(ExitCodes.ERROR);
        JsonNode r = Json.mapper().readTree(out);
        assertThat(r.path("sockets")).isEmpty();
        assertThat(r.path("unreadable").toString())
                .contains("EACCES (Permission denied)", "belongs to uid 65534", "only its owner (or root)");
    }

    @Test
    void badInputGetsAClearError() throws Exception {
        AwRunner.Result r = aw("sockets", "inspect", "--pid", "999999999");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("no process 999999999 (--pid)");
        String me = Long.toString(ProcessHandle.current().pid());
        r = aw("sockets", "inspect", "--pid", me, "--options", "SO_SNDBUF,SO_FAST");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("unknown socket option SO_FAST (--options); known: SO_SNDBUF");
        r = aw("sockets", "inspect", "--pid", me, "--bandwidth", "fast", "--rtt", "20ms");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--bandwidth must be a positive rate like 100Mbit", "'fast'");
        r = aw("sockets", "inspect", "--pid", me, "--bandwidth", "1Gbit");
        assertThat(r.err()).contains("--bandwidth and --rtt go together");
        r = aw("sockets", "inspect", "--pid", me, "--rtt", "soon", "--bandwidth", "1Gbit");
        assertThat(r.err()).contains("--rtt must be a positive time like 20ms");
        r = aw("sockets", "inspect", "7", "--pid", me);
        assertThat(r.err()).contains("give a hub connection ID or --pid, not both");
        r = aw("sockets", "inspect", "--fd", "3");
        assertThat(r.err()).contains("--fd, --options, --bandwidth and --rtt go with --pid");
        r = aw("sockets", "inspect");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("give a hub connection ID (aw sockets lists them) or --pid P");
        // fd 0 of the holder is the pipe from this test.
        int[] ports = new int[2];
        Process p = holder(ports);
        r = aw("sockets", "inspect", "--pid", Long.toString(p.pid()), "--fd", "0");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("fd 0 of pid " + p.pid() + " is not a socket but pipe:");
        r = aw("sockets", "inspect", "--pid", Long.toString(p.pid()), "--fd", "9999");
        assertThat(r.err()).contains("pid " + p.pid() + " has no fd 9999");
    }
}
