package dev.agentwire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code aw errno NAME|NUMBER}: what a socket error means, its usual causes and the fix in agentwire's terms.
 * Names are Linux's and macOS's ({@code ECONNREFUSED}) or Winsock's ({@code WSAECONNREFUSED}); numbers are
 * read as Linux's unless {@code --os} says otherwise. The table is {@code errno/errno.json}.
 */
@Command(
        name = "errno",
        mixinStandardHelpOptions = true,
        description = {
            "Explain a socket error: meaning, usual causes, and the fix in agentwire's terms.",
            "NAME is ECONNREFUSED, WSAECONNREFUSED, econnrefused...; NUMBER is Linux's unless --os says otherwise."
        })
final class ErrnoCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "NAME|NUMBER", arity = "0..1")
    String what;

    @Option(
            names = "--os",
            paramLabel = "OS",
            defaultValue = "linux",
            description = "how to read a NUMBER: linux, macos or windows (default: ${DEFAULT-VALUE})")
    String os;

    @Option(names = "--list", description = "list every error the table knows")
    boolean list;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    static JsonNode table() {
        try (InputStream in = ErrnoCommand.class.getResourceAsStream("/errno/errno.json")) {
            return Json.mapper().readTree(in).path("errno");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The entry {@code what} names, read as {@code os} if it is a number. */
    static Optional<JsonNode> find(String what, String os) {
        String w = what.trim().toUpperCase(Locale.ROOT);
        for (JsonNode e : table()) {
            if (w.matches("-?\\d+")) {
                int n = Math.abs(Integer.parseInt(w));
                boolean hit = switch (os) {
                    case "macos" -> e.path("macos").asInt() == n;
                    case "windows" -> e.path("winsock").path("number").asInt() == n;
                    default -> e.path("linux").asInt() == n;
                };
                if (hit) {
                    return Optional.of(e);
                }
            } else if (w.equals(e.path("name").asText())
                    || w.equals(e.path("winsock").path("name").asText())
                    || e.path("aliases").toString().contains("\"" + w + "\"")) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /**
     * The entry for a failed socket call's exception, read from its message (the JDK passes strerror's text on:
     * "Connection refused"); a connect that timed out is ETIMEDOUT. Empty when the message names no errno.
     */
    static Optional<JsonNode> fromException(Throwable e) {
        if (e instanceof java.net.SocketTimeoutException) {
            return find("ETIMEDOUT", "linux");
        }
        String message = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
        for (JsonNode entry : table()) {
            String meaning = entry.path("meaning").asText().toLowerCase(Locale.ROOT);
            int paren = meaning.indexOf(" (");
            if (!meaning.isEmpty() && message.contains(paren < 0 ? meaning : meaning.substring(0, paren))) {
                return Optional.of(entry);
            }
        }
        return Optional.empty();
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!List.of("linux", "macos", "windows").contains(os)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--os must be linux, macos or windows, not " + os);
        }
        if (list) {
            for (JsonNode e : table()) {
                out.printf(
                        "%-16s %4d %4d  %s%n",
                        e.path("name").asText(),
                        e.path("linux").asInt(),
                        e.path("macos").asInt(),
                        e.path("meaning").asText());
            }
            out.flush();
            return ExitCodes.OK;
        }
        if (what == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give an errno NAME or NUMBER (or --list)");
        }
        JsonNode e = find(what, os)
                .orElseThrow(() -> new CommandLine.ParameterException(
                        spec.commandLine(),
                        "unknown errno " + what + (what.matches("-?\\d+") ? " on " + os : "")
                                + "; aw errno --list shows the ones this table knows"));
        if (json) {
            ClientOptions.printJson(out, e);
        } else {
            List<String> where = new ArrayList<>();
            where.add(e.path("linux").asInt() + " on Linux");
            where.add(e.path("macos").asInt() + " on macOS");
            if (e.has("winsock")) {
                where.add(e.path("winsock").path("name").asText() + " "
                        + e.path("winsock").path("number").asInt() + " on Windows");
            }
            out.println(e.path("name").asText() + " (" + String.join(", ", where) + "): "
                    + e.path("meaning").asText());
            out.println("Usual causes: " + e.path("causes").asText());
            out.println("In agentwire: " + e.path("fix").asText());
        }
        out.flush();
        return ExitCodes.OK;
    }
}
