package dev.agentwire.cli;

import static dev.agentwire.cli.AwRunner.aw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every generated echo server is built, started, answers an echo, and shuts down cleanly. */
class GenerateServerTest {

    static Stream<Arguments> servers() {
        List<Arguments> all = new ArrayList<>();
        for (String type : List.of("tcp", "udp", "unix")) {
            for (String model : List.of("blocking", "nonblocking", "epoll")) {
                all.add(Arguments.of("c", type, model));
                all.add(Arguments.of("python", type, model));
                all.add(Arguments.of("rust", type, model));
            }
            all.add(Arguments.of("node", type, "nonblocking"));
            all.add(Arguments.of("java", type, "blocking"));
            all.add(Arguments.of("java", type, "nonblocking"));
        }
        return all.stream();
    }

    private static boolean has(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }

    private static void run(Path dir, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("RUSTFLAGS", "-D warnings"); // as cc's -Werror: a warning fails the build
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("servers")
    void buildsStartsEchoesAndStops(String language, String type, String model) throws Exception {
        String tool = switch (language) {
            case "c" -> "cc";
            case "python" -> "python3";
            case "node" -> "node";
            case "rust" -> "cargo";
            default -> "java";
        };
        assumeTrue(language.equals("java") || has(tool), "needs " + tool + " (CI installs it)");
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "awsrv");
        Path sock = dir.resolve("echo.sock");
        String file = switch (language) {
            case "c" -> "server.c";
            case "python" -> "server.py";
            case "node" -> "server.js";
            case "rust" -> "server.rs";
            default -> "Server.java";
        };
        Path src = dir.resolve(file);
        List<String> args = new ArrayList<>(List.of(
                "generate",
                "server",
                "--language",
                language,
                "--type",
                type,
                "--io-model",
                model,
                "--port",
                "0",
                "--backlog",
                "64",
                "--buffer-size",
                "32768",
                "--output",
                src.toString()));
        if (type.equals("unix")) {
            args.addAll(List.of("--path", sock.toString()));
        }
        if (type.equals("tcp")) {
            args.add("--nodelay");
        }
        AwRunner.Result g = aw(args.toArray(String[]::new));
        assertThat(g.code()).as(g.err()).isZero();
        List<String> command;
        String javaHome = System.getProperty("java.home");
        switch (language) {
            case "c" -> {
                run(dir, "cc", "-O2", "-Wall", "-Werror", "-o", "echo-server", src.toString());
                command = List.of(dir.resolve("echo-server").toString());
            }
            case "python" -> command = List.of("python3", src.toString());
            case "rust" -> {
                // A Cargo package around the one file, built offline: the server needs nothing but std.
                Files.writeString(
                        dir.resolve("Cargo.toml"),
                        "[package]\nname = \"echo-server\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n"
                                + "[[bin]]\nname = \"echo-server\"\npath = \"server.rs\"\n");
                run(dir, "cargo", "build", "--offline", "--release", "--quiet");
                command = List.of(dir.resolve("target")
                        .resolve("release")
                        .resolve("echo-server")
                        .toString());
            }
            case "node" -> command = List.of("node", src.toString());
            default -> {
                run(dir, Path.of(javaHome, "bin", "javac").toString(), "-d", dir.toString(), src.toString());
                command = List.of(Path.of(javaHome, "bin", "java").toString(), "-cp", dir.toString(), "Server");
            }
        }
        Process server = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        try {
            String line = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertThat(line)
                    .as("the server's first line")
                    .startsWith("echo server (" + type + ", " + model + ") listening on");
            String where = line.substring(line.lastIndexOf(' ') + 1);
            byte[] hello =
                    ("hello from " + language + " " + type + " " + model + "\n").getBytes(StandardCharsets.UTF_8);
            if (type.equals("udp")) {
                int port = Integer.parseInt(where.substring(where.lastIndexOf(':') + 1));
                try (DatagramSocket s = new DatagramSocket()) {
                    s.setSoTimeout(10_000);
                    s.send(new DatagramPacket(hello, hello.length, InetAddress.getLoopbackAddress(), port));
                    DatagramPacket back = new DatagramPacket(new byte[1024], 1024);
                    s.receive(back);
                    assertThat(new String(back.getData(), 0, back.getLength(), StandardCharsets.UTF_8))
                            .isEqualTo(new String(hello, StandardCharsets.UTF_8));
                }
            } else {
                try (SocketChannel ch =
                        type.equals("unix") ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open()) {
                    ch.connect(
                            type.equals("unix")
                                    ? UnixDomainSocketAddress.of(where)
                                    : new java.net.InetSocketAddress(
                                            InetAddress.getLoopbackAddress(),
                                            Integer.parseInt(where.substring(where.lastIndexOf(':') + 1))));
                    ch.write(ByteBuffer.wrap(hello));
                    ByteBuffer back = ByteBuffer.allocate(hello.length);
                    while (back.hasRemaining() && ch.read(back) >= 0) {
                        // until the whole line is back
                    }
                    assertThat(new String(back.array(), StandardCharsets.UTF_8))
                            .isEqualTo(new String(hello, StandardCharsets.UTF_8));
                }
            }
        } finally {
            server.destroy(); // SIGTERM: a clean shutdown
            assertThat(server.waitFor(20, TimeUnit.SECONDS))
                    .as("%s %s %s stops on SIGTERM", language, type, model)
                    .isTrue();
        }
        if (type.equals("unix")) {
            assertThat(sock).as("the socket file is removed at shutdown").doesNotExist();
        }
    }

    @Test
    void optionsThatDoNotApplyAreRefusedWithTheReason() {
        AwRunner.Result r = aw("generate", "server", "--language", "java", "--io-model", "epoll");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--io-model epoll with --language java", "Selector");
        r = aw("generate", "server", "--language", "node", "--io-model", "blocking");
        assertThat(r.err()).contains("node's sockets are non-blocking");
        r = aw("generate", "server", "--language", "c", "--type", "udp", "--nodelay");
        assertThat(r.err()).contains("TCP_NODELAY, which only TCP has");
        r = aw("generate", "server", "--language", "c", "--port", "70000");
        assertThat(r.err()).contains("--port must be 0-65535");
        r = aw("generate", "server", "--language", "cobol");
        assertThat(r.err()).contains("no server template for cobol");
        r = aw("generate", "server", "--language", "c", "--type", "sctp");
        assertThat(r.err()).contains("--type must be tcp, udp or unix");
        r = aw("generate", "server", "--language", "c", "--buffer-size", "1");
        assertThat(r.err()).contains("--buffer-size must be 256 bytes to 64 MiB");
    }
}
