package dev.agentwire.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code aw generate client}: a complete minimal client for the hub, from a template in the CLI's resources. */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = {
            "Generate code: aw generate client --language c|python|node|java|go|bash;",
            "aw generate server --type tcp|udp|unix --language c|python|node|java --io-model blocking|nonblocking|epoll."
        },
        subcommands = {GenerateCommand.Client.class, GenerateCommand.Server.class})
final class GenerateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCodes.USAGE;
    }

    static String template(String name) {
        try (InputStream in = GenerateCommand.class.getResourceAsStream("/generate/" + name)) {
            if (in == null) {
                throw new IllegalStateException("template " + name + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code code} to {@code output} (made executable for scripts) or prints it. */
    static void emit(CommandLine cl, String code, Path output, boolean executable) throws IOException {
        if (output == null) {
            PrintWriter out = cl.getOut();
            out.print(code);
            out.flush();
            return;
        }
        Files.writeString(output, code);
        if (executable) {
            output.toFile().setExecutable(true);
        }
        cl.getErr().println("wrote " + output);
        cl.getErr().flush();
    }

    @Command(
            name = "client",
            mixinStandardHelpOptions = true,
            description = {
                "A complete, runnable minimal client: connect to the hub's Unix socket, hub/hello, one request,",
                "print the answer, clear errors. Each file says how to build and run it."
            })
    static final class Client implements Callable<Integer> {
        /** Language → its template. */
        static final Map<String, String> TEMPLATES = Map.of(
                "c", "client/client.c",
                "python", "client/client.py",
                "node", "client/client.js",
                "java", "client/Client.java",
                "go", "client/client.go",
                "bash", "client/client.sh");

        @Option(
                names = "--language",
                paramLabel = "LANG",
                required = true,
                description = "c, python, node, java, go or bash")
        String language;

        @Option(
                names = {"-o", "--output"},
                paramLabel = "FILE",
                description = "write here instead of stdout")
        Path output;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            String template = TEMPLATES.get(language);
            if (template == null) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "no client template for " + language + "; languages: "
                                + new java.util.TreeSet<>(TEMPLATES.keySet()));
            }
            emit(spec.commandLine(), template(template), output, language.equals("bash") || language.equals("python"));
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "server",
            mixinStandardHelpOptions = true,
            description = {
                "An echo server with the requested I/O model and socket options (SO_REUSEADDR, buffer sizes,",
                "TCP_NODELAY), error handling and a clean shutdown on Ctrl-C or SIGTERM."
            })
    static final class Server implements Callable<Integer> {
        static final Map<String, String> TEMPLATES = Map.of(
                "c",
                "server/server.c",
                "python",
                "server/server.py",
                "node",
                "server/server.js",
                "java",
                "server/Server.java");

        @Option(
                names = "--type",
                paramLabel = "TYPE",
                defaultValue = "tcp",
                description = "tcp, udp or unix (default: ${DEFAULT-VALUE})")
        String type;

        @Option(names = "--language", paramLabel = "LANG", required = true, description = "c, python, node or java")
        String language;

        @Option(
                names = "--io-model",
                paramLabel = "MODEL",
                description = "blocking, nonblocking or epoll (default: blocking; node: nonblocking)")
        String ioModel;

        @Option(
                names = "--port",
                paramLabel = "N",
                defaultValue = "8080",
                description = "0 picks one (default: ${DEFAULT-VALUE})")
        int port;

        @Option(
                names = "--path",
                paramLabel = "P",
                defaultValue = "/tmp/agentwire-echo.sock",
                description = "the unix socket (default: ${DEFAULT-VALUE})")
        String path;

        @Option(
                names = "--backlog",
                paramLabel = "N",
                defaultValue = "128",
                description = "listen backlog (default: ${DEFAULT-VALUE})")
        int backlog;

        @Option(
                names = "--buffer-size",
                paramLabel = "N",
                defaultValue = "65536",
                description = "SO_RCVBUF/SO_SNDBUF and the read buffer (default: ${DEFAULT-VALUE})")
        int bufferSize;

        @Option(names = "--nodelay", description = "TCP_NODELAY on accepted connections (tcp only)")
        boolean nodelay;

        @Option(
                names = {"-o", "--output"},
                paramLabel = "FILE",
                description = "write here instead of stdout")
        Path output;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        private CommandLine.ParameterException refuse(String why) {
            return new CommandLine.ParameterException(spec.commandLine(), why);
        }

        @Override
        public Integer call() throws Exception {
            String template = TEMPLATES.get(language);
            if (template == null) {
                throw refuse("no server template for " + language + "; languages: "
                        + new java.util.TreeSet<>(TEMPLATES.keySet()));
            }
            if (!java.util.List.of("tcp", "udp", "unix").contains(type)) {
                throw refuse("--type must be tcp, udp or unix, not " + type);
            }
            String model = ioModel != null ? ioModel : language.equals("node") ? "nonblocking" : "blocking";
            if (!java.util.List.of("blocking", "nonblocking", "epoll").contains(model)) {
                throw refuse("--io-model must be blocking, nonblocking or epoll, not " + model);
            }
            if (language.equals("node") && !model.equals("nonblocking")) {
                throw refuse(
                        "--io-model " + model + " with --language node: node's sockets are non-blocking on its event"
                                + " loop; use nonblocking");
            }
            if (language.equals("java") && model.equals("epoll")) {
                throw refuse(
                        "--io-model epoll with --language java: the JDK has no epoll API (its Selector uses epoll on"
                                + " Linux by itself); use nonblocking");
            }
            if (nodelay && !type.equals("tcp")) {
                throw refuse(
                        "--nodelay sets TCP_NODELAY, which only TCP has; a " + type + " server has no Nagle delay");
            }
            if (port < 0 || port > 65535) {
                throw refuse("--port must be 0-65535 (0 picks one), not " + port);
            }
            if (backlog < 1 || backlog > 65535) {
                throw refuse("--backlog must be 1-65535, not " + backlog);
            }
            if (bufferSize < 256 || bufferSize > 64 << 20) {
                throw refuse("--buffer-size must be 256 bytes to 64 MiB, not " + bufferSize);
            }
            if (type.equals("unix") && path.getBytes(StandardCharsets.UTF_8).length > 107) {
                throw refuse("--path is longer than a Unix socket takes (107 bytes, ENAMETOOLONG)");
            }
            String code = template(template)
                    .replace("{{TYPE}}", type)
                    .replace("{{IO_MODEL}}", model)
                    .replace("{{IO_MODEL_UPPER}}", model.toUpperCase(java.util.Locale.ROOT))
                    .replace("{{IS_UDP}}", type.equals("udp") ? "1" : "0")
                    .replace("{{IS_UNIX}}", type.equals("unix") ? "1" : "0")
                    .replace("{{PORT}}", Integer.toString(port))
                    .replace("{{PATH}}", path)
                    .replace("{{BACKLOG}}", Integer.toString(backlog))
                    .replace("{{BUFFER_SIZE}}", Integer.toString(bufferSize))
                    .replace("{{NODELAY_PY}}", nodelay ? "True" : "False")
                    .replace("{{NODELAY_JS}}", Boolean.toString(nodelay))
                    .replace("{{NODELAY_JAVA}}", Boolean.toString(nodelay))
                    .replace("{{NODELAY_C}}", nodelay ? "1" : "0");
            emit(spec.commandLine(), code, output, language.equals("python"));
            return ExitCodes.OK;
        }
    }
}
