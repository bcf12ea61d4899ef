package dev.agentwire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.Endpoint;
import dev.agentwire.client.HubIdentity;
import dev.agentwire.client.HubUnavailableException;
import dev.agentwire.protocol.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aw title}, {@code aw follow}, {@code aw unfollow}: one line to {@code AGENTWIRE_HOME/api.sock}. */
final class ApiSocketCommands {

    private ApiSocketCommands() {}

    /** Sends {@code {"command", "args"}} and returns the answer's {@code result}, or throws with its error. */
    static JsonNode ask(Path home, String command, ObjectNode args) throws IOException {
        Path sock = home.resolve("api.sock");
        if (!Files.exists(sock)) {
            throw new HubUnavailableException(Endpoint.parse("unix:" + sock), "no " + sock, null);
        }
        ObjectNode request = Json.mapper().createObjectNode();
        request.put("command", command);
        request.set("args", args);
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                ch.connect(UnixDomainSocketAddress.of(sock));
            } catch (IOException e) {
                throw new HubUnavailableException(Endpoint.parse("unix:" + sock), e.getMessage(), e);
            }
            HubIdentity.ofThisProcess().verify(Endpoint.parse("unix:" + sock), ch);
            ch.write(ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8)));
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            while (true) {
                if (ch.read(buf) < 0) {
                    throw new IOException("api.sock closed before it answered");
                }
                for (int i = 0; i < buf.position(); i++) {
                    if (buf.get(i) == '\n') {
                        JsonNode answer = Json.mapper().readTree(new String(buf.array(), 0, i, StandardCharsets.UTF_8));
                        if (!answer.path("ok").asBoolean()) {
                            throw new ApiSocketException(
                                    answer.path("error").path("message").asText("failed"));
                        }
                        return answer.path("result");
                    }
                }
            }
        }
    }

    /** api.sock answered an error; its message is the command's. */
    static final class ApiSocketException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ApiSocketException(String message) {
            super(message);
        }
    }

    private static Path home() {
        return Endpoint.home(System.getenv());
    }

    @Command(
            name = "title",
            mixinStandardHelpOptions = true,
            description = "Set the title of the agentwire terminal this shell runs in (AGENTWIRE_TERMINAL_ID).")
    static final class Title implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "TEXT")
        String text;

        @Option(names = "--id", paramLabel = "ID", description = "another terminal (default: this one)")
        String id;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            String terminal = id != null ? id : System.getenv("AGENTWIRE_TERMINAL_ID");
            if (terminal == null || terminal.isEmpty()) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "aw title works inside an agentwire terminal (AGENTWIRE_TERMINAL_ID is not set); or give --id");
            }
            ObjectNode args =
                    Json.mapper().createObjectNode().put("id", terminal).put("title", text);
            JsonNode r = ask(home(), "title", args);
            PrintWriter out = spec.commandLine().getOut();
            out.println(
                    "title of " + r.path("id").asText() + ": " + r.path("title").asText());
            out.flush();
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "follow",
            mixinStandardHelpOptions = true,
            description =
                    "Follow the git repository at PATH (default: here): the hub reports branch and worktree changes.")
    static final class Follow implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "PATH", defaultValue = ".")
        Path path;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            JsonNode r = ask(
                    home(),
                    "follow",
                    Json.mapper()
                            .createObjectNode()
                            .put("path", path.toAbsolutePath().toString()));
            PrintWriter out = spec.commandLine().getOut();
            out.println("following " + r.path("path").asText() + " (branch "
                    + r.path("branch").asText() + ")");
            out.flush();
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "unfollow",
            mixinStandardHelpOptions = true,
            description = "Stop following the repository at PATH (default: every repository).")
    static final class Unfollow implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "PATH", arity = "0..1")
        Path path;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ObjectNode args = Json.mapper().createObjectNode();
            if (path != null) {
                args.put("path", path.toAbsolutePath().toString());
            }
            JsonNode r = ask(home(), "unfollow", args);
            PrintWriter out = spec.commandLine().getOut();
            out.println("stopped following " + r.path("unfollowed").asInt() + " repositories");
            out.flush();
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "terminals",
            mixinStandardHelpOptions = true,
            description = "List the hub's terminal sessions (through api.sock's sessions command).")
    static final class Terminals implements Callable<Integer> {
        @Option(names = "--json", description = "print JSON instead of text")
        boolean json;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            JsonNode r = ask(home(), "sessions", Json.mapper().createObjectNode());
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ClientOptions.printJson(out, r);
            } else {
                out.printf("%-32s %-16s %-8s %5s %9s %s%n", "ID", "NAME", "STATUS", "EXIT", "SIZE", "TITLE");
                for (JsonNode t : r.path("terminals")) {
                    out.printf(
                            "%-32s %-16s %-8s %5s %9s %s%n",
                            t.path("id").asText(),
                            t.path("name").asText(),
                            t.path("status").asText(),
                            t.path("exitCode").isNull()
                                    ? "-"
                                    : t.path("exitCode").asText(),
                            t.path("cols").asInt() + "x" + t.path("rows").asInt(),
                            t.path("title").asText());
                }
            }
            out.flush();
            return ExitCodes.OK;
        }
    }
}
