package dev.agentwire.cli;

import java.util.List;
import java.util.Optional;
import picocli.CommandLine;

/**
 * The commands under {@code aw}, by name, in the order {@code aw --help} lists them.
 *
 * <p>A command's class is named only in {@link #commandClass}'s switch, so the JVM loads it, and picocli reads
 * its annotations, only when that command is asked for: {@code aw status} loads neither the hub nor the other
 * commands. {@code aw}, {@code aw --help}, {@code aw help} and a name that is not a command get all of them, so
 * help and picocli's "did you mean" read as before.
 */
final class Subcommands {

    /** Every command's name, in help order. */
    static final List<String> NAMES = List.of(
            "hub",
            "status",
            "ping",
            "sessions",
            "cluster",
            "tools",
            "call",
            "calls",
            "replay",
            "mcp",
            "rooms",
            "send",
            "tail",
            "history",
            "services",
            "request",
            "serve",
            "route-llm",
            "run",
            "errno",
            "sockets",
            "doctor",
            "audit",
            "generate",
            "title",
            "terminals",
            "term",
            "notify",
            "follow",
            "unfollow",
            "token",
            "open",
            "bench",
            "help");

    private Subcommands() {}

    /** Adds to {@code aw} the commands that a command line starting with {@code first} can need. */
    static void addTo(CommandLine aw, Optional<String> first) {
        // No lambdas here: each costs a bootstrap at every start.
        Optional<Class<?>> only =
                first.isPresent() && !first.get().equals("help") ? commandClass(first.get()) : Optional.empty();
        if (only.isPresent()) {
            aw.addSubcommand(first.get(), only.get());
            return;
        }
        for (String name : NAMES) {
            aw.addSubcommand(name, commandClass(name).orElseThrow());
        }
    }

    /** The class of the command called {@code name}; loading it is the caller's choice, not this table's. */
    static Optional<Class<?>> commandClass(String name) {
        Class<?> c = switch (name) {
            case "hub" -> HubCommand.class;
            case "status" -> StatusCommand.class;
            case "ping" -> PingCommand.class;
            case "sessions" -> SessionsCommand.class;
            case "cluster" -> ClusterCommand.class;
            case "tools" -> ToolsCommand.class;
            case "call" -> CallCommand.class;
            case "calls" -> CallsCommand.class;
            case "replay" -> ReplayCommand.class;
            case "mcp" -> McpCommand.class;
            case "rooms" -> RoomsCommands.List.class;
            case "send" -> RoomsCommands.Send.class;
            case "tail" -> RoomsCommands.Tail.class;
            case "history" -> RoomsCommands.History.class;
            case "services" -> ServicesCommands.List.class;
            case "request" -> ServicesCommands.Request.class;
            case "serve" -> ServicesCommands.Serve.class;
            case "route-llm" -> ServicesCommands.RouteLlm.class;
            case "run" -> RunCommand.class;
            case "errno" -> ErrnoCommand.class;
            case "sockets" -> SocketsCommand.class;
            case "doctor" -> DoctorCommand.class;
            case "audit" -> AuditCommand.class;
            case "generate" -> GenerateCommand.class;
            case "title" -> ApiSocketCommands.Title.class;
            case "terminals" -> ApiSocketCommands.Terminals.class;
            case "term" -> TermCommands.Term.class;
            case "notify" -> NotifyCommand.class;
            case "follow" -> ApiSocketCommands.Follow.class;
            case "unfollow" -> ApiSocketCommands.Unfollow.class;
            case "token" -> TokenCommands.class;
            case "open" -> OpenCommand.class;
            case "bench" -> dev.agentwire.bench.BenchCommand.class;
            case "help" -> CommandLine.HelpCommand.class;
            default -> null;
        };
        return Optional.ofNullable(c);
    }
}
