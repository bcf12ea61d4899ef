package dev.agentwire.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/**
 * A command that connects to the hub with the shared {@link ClientOptions}, asks it one thing and prints the
 * answer: indented JSON with {@code --json}, else {@link #printText} for a person. A subclass says what to ask
 * ({@link #prepare}) and how the answer reads.
 *
 * <p>Failures are not caught here: they reach {@link Aw}'s handler, where {@link Failures} turns every command's
 * into the same one-line message and exit code (no hub 3, refused 4, timed out 5, an error answer 1).
 */
abstract class HubCall implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** What to ask a connected hub; the answer is what the command prints. */
    @FunctionalInterface
    interface Ask {
        JsonNode on(AgentwireClient hub) throws Exception;
    }

    /**
     * Checks the arguments and says what to ask. It runs before connecting, so a bad argument is a usage error
     * (exit 2) whether or not a hub is running.
     */
    abstract Ask prepare() throws Exception;

    /** Prints {@code answer} for a person (without --json). */
    abstract void printText(PrintWriter out, JsonNode answer) throws IOException;

    /** Prints {@code answer} with --json: indented, as every reading command does. */
    void printJson(PrintWriter out, JsonNode answer) throws IOException {
        ClientOptions.printJson(out, answer);
    }

    /** Prints {@code answer} as --json asks. */
    void print(PrintWriter out, JsonNode answer) throws IOException {
        if (client.json) {
            printJson(out, answer);
        } else {
            printText(out, answer);
        }
    }

    /** Runs after the answer is printed and the connection closed; returns the exit code (default: 0). */
    int done(JsonNode answer) {
        return ExitCodes.OK;
    }

    /** The session to join before asking, or null for none. */
    String session() {
        return null;
    }

    @Override
    public Integer call() throws Exception {
        Ask ask = prepare();
        PrintWriter out = out();
        JsonNode answer;
        try (AgentwireClient hub = client.connect(clientName(spec), session())) {
            answer = ask.on(hub);
            print(out, answer);
            out.flush();
        }
        return done(answer);
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** A usage error (exit 2) with {@code message}. */
    CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** Asks {@code method} without parameters. */
    static Ask request(String method) {
        return hub -> hub.request(method).get();
    }

    /** Asks {@code method} with {@code params}. */
    static Ask request(String method, JsonNode params) {
        return hub -> hub.request(method, params).get();
    }

    /** {@code text} read as JSON (a JSON null if there is none), or a usage error naming {@code label}. */
    JsonNode jsonArgument(String text, String label) {
        try {
            JsonNode n = Json.mapper().readTree(text);
            return n == null ? Json.mapper().nullNode() : n;
        } catch (JsonProcessingException e) {
            throw usage(label + " is not JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * The name the command connects as, which the hub shows in {@code aw sockets}: {@code aw-} and the command
     * directly under {@code aw}, so {@code aw sockets inspect} is {@code aw-sockets}.
     */
    static String clientName(CommandLine.Model.CommandSpec spec) {
        CommandLine.Model.CommandSpec top = spec;
        while (top.parent() != null && top.parent().parent() != null) {
            top = top.parent();
        }
        return "aw-" + top.name();
    }
}
