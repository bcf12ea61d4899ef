package dev.agentwire.cli;

import dev.agentwire.server.config.GenerateSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
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
            "aw generate server --type tcp|udp|unix --language c|python|node|java|rust",
            "  --io-model blocking|nonblocking|epoll (or --non-blocking).",
            "Defaults: the generate: section of agentwire.yaml (defaultLanguage, defaultIoModel, bufferSize,",
            "generateComments), AGENTWIRE_GENERATE_* and DEFAULT_BUFFER_SIZE in the environment."
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

    /** The language: {@code --language}, else {@code generate.defaultLanguage}; a usage error when neither is set. */
    static String language(CommandLine cl, String given, GenerateSettings defaults) {
        if (given != null) {
            return given;
        }
        if (defaults.defaultLanguage().isEmpty()) {
            throw new CommandLine.ParameterException(
                    cl, "give --language (or set generate.defaultLanguage in agentwire.yaml)");
        }
        return defaults.defaultLanguage();
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
                description = "c, python, node, java, go or bash (default: generate.defaultLanguage, c)")
        String language;

        @Option(
                names = {"-o", "--output"},
                paramLabel = "FILE",
                description = "write here instead of stdout")
        Path output;

        @Option(
                names = "--config",
                paramLabel = "FILE",
                description = "the agentwire.yaml with the generate: defaults (default: AGENTWIRE_HOME/agentwire.yaml)")
        Path config;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            GenerateSettings defaults = GenerateDefaults.load(Optional.ofNullable(config), System.getenv());
            String language = language(spec.commandLine(), this.language, defaults);
            String template = TEMPLATES.get(language);
            if (template == null) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "no client template for " + language + "; languages: "
                                + new java.util.TreeSet<>(TEMPLATES.keySet()));
            }
            String code = template(template);
            if (!defaults.generateComments()) {
                code = CommentLines.strip(language, code);
            }
            emit(spec.commandLine(), code, output, language.equals("bash") || language.equals("python"));
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
                "server/Server.java",
                "rust",
                "server/server.rs");

        @Option(
                names = "--type",
                paramLabel = "TYPE",
                defaultValue = "tcp",
                description = "tcp, udp or unix (default: ${DEFAULT-VALUE})")
        String type;

        @Option(
                names = "--language",
                paramLabel = "LANG",
                description = "c, python, node, java or rust (default: generate.defaultLanguage, c)")
        String language;

        @Option(
                names = "--io-model",
                paramLabel = "MODEL",
                description = "blocking, nonblocking (non-blocking) or epoll (default: generate.defaultIoModel if the"
                        + " language has it, else blocking; node: nonblocking)")
        String ioModel;

        @Option(names = "--non-blocking", description = "the same as --io-model nonblocking (the socket skill's flag)")
        boolean nonBlocking;

        @Option(
                names = "--config",
                paramLabel = "FILE",
                description = "the agentwire.yaml with the generate: defaults (default: AGENTWIRE_HOME/agentwire.yaml)")
        Path config;

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
                description = "SO_RCVBUF/SO_SNDBUF and the read buffer (default: generate.bufferSize or"
                        + " DEFAULT_BUFFER_SIZE, 65536)")
        Integer bufferSize;

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

        /** Whether {@code language}'s template has {@code model}. */
        static boolean has(String language, String model) {
            return switch (language) {
                case "node" -> model.equals("nonblocking");
                case "java" -> !model.equals("epoll");
                default -> true;
            };
        }

        @Override
        public Integer call() throws Exception {
            GenerateSettings defaults = GenerateDefaults.load(Optional.ofNullable(config), System.getenv());
            String language = language(spec.commandLine(), this.language, defaults);
            String template = TEMPLATES.get(language);
            if (template == null) {
                throw refuse("no server template for " + language + "; languages: "
                        + new java.util.TreeSet<>(TEMPLATES.keySet()));
            }
            if (!java.util.List.of("tcp", "udp", "unix").contains(type)) {
                throw refuse("--type must be tcp, udp or unix, not " + type);
            }
            String given = ioModel == null ? null : ioModel.replace("non-blocking", "nonblocking");
            if (nonBlocking) {
                if (given != null && !given.equals("nonblocking")) {
                    throw refuse("--non-blocking and --io-model " + ioModel + " disagree; give one");
                }
                given = "nonblocking";
            }
            String configured = defaults.defaultIoModel().replace("non-blocking", "nonblocking");
            if (given == null && !configured.isEmpty()) {
                if (!java.util.List.of("blocking", "nonblocking", "epoll").contains(configured)) {
                    throw refuse("generate.defaultIoModel must be blocking, nonblocking or epoll, not " + configured);
                }
                if (has(language, configured)) {
                    given = configured;
                }
            }
            String model = given != null ? given : language.equals("node") ? "nonblocking" : "blocking";
            if (!java.util.List.of("blocking", "nonblocking", "epoll").contains(model)) {
                throw refuse("--io-model must be blocking, nonblocking or epoll, not " + model);
            }
            int bufferSize = this.bufferSize != null ? this.bufferSize : defaults.bufferSize();
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
                    .replace("{{NODELAY_C}}", nodelay ? "1" : "0")
                    .replace("{{NODELAY_RS}}", Boolean.toString(nodelay));
            if (!defaults.generateComments()) {
                code = CommentLines.strip(language, code);
            }
            emit(spec.commandLine(), code, output, language.equals("python"));
            return ExitCodes.OK;
        }
    }
}
