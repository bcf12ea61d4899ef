package dev.agentwire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.Endpoint;
import dev.agentwire.protocol.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code aw audit [--follow] [--json] [-n N]}: the hub's audit trail, {@code AGENTWIRE_HOME/audit.log} (refused
 * connections and calls, logins, token changes, admin calls, terminal actions by strangers). Reads the file, so it
 * works with or without a running hub.
 */
@Command(
        name = "audit",
        mixinStandardHelpOptions = true,
        description = "Show the hub's audit log (AGENTWIRE_HOME/audit.log): refusals, logins, tokens, admin calls.")
final class AuditCommand implements Callable<Integer> {

    @Option(names = "--follow", description = "keep printing new records as they come (^C to stop)")
    boolean follow;

    @Option(names = "--json", description = "print the records as they are stored, one JSON object per line")
    boolean json;

    @Option(names = "-n", paramLabel = "N", description = "only the last N records (default: all)")
    int last = -1;

    @Option(names = "--home", paramLabel = "DIR", description = "AGENTWIRE_HOME (default: ~/.agentwire)")
    Path home;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path file = (home != null ? home : Endpoint.home(System.getenv())).resolve("audit.log");
        if (!Files.exists(file) && !follow) {
            spec.commandLine().getErr().println("aw audit: no audit log at " + file + " (the hub writes it)");
            return ExitCodes.USAGE;
        }
        long position = 0;
        if (Files.exists(file)) {
            var lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (String line : last >= 0 ? lines.subList(Math.max(0, lines.size() - last), lines.size()) : lines) {
                print(out, line);
            }
            position = Files.size(file);
        }
        out.flush();
        while (follow && !Thread.currentThread().isInterrupted()) {
            position = tail(out, file, position);
            Thread.sleep(250);
        }
        return ExitCodes.OK;
    }

    /** Prints what was appended since {@code position}; starts over when the log was rotated. */
    private long tail(PrintWriter out, Path file, long position) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        long size = Files.size(file);
        if (size < position) {
            position = 0; // rotated
        }
        if (size == position) {
            return position;
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            f.seek(position);
            byte[] bytes = new byte[(int) (size - position)];
            f.readFully(bytes);
            String text = new String(bytes, StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n');
            if (end < 0) {
                return position; // half a line: wait for the rest
            }
            text.substring(0, end).lines().forEach(l -> print(out, l));
            out.flush();
            return position + text.substring(0, end + 1).getBytes(StandardCharsets.UTF_8).length;
        }
    }

    private void print(PrintWriter out, String line) {
        if (line.isBlank()) {
            return;
        }
        if (json) {
            out.println(line);
            return;
        }
        JsonNode r;
        try {
            r = Json.mapper().readTree(line);
        } catch (IOException e) {
            out.println(line);
            return;
        }
        StringBuilder rest = new StringBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> it = r.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().equals("ts")
                    && !e.getKey().equals("event")
                    && !e.getKey().equals("message")) {
                rest.append(' ')
                        .append(e.getKey())
                        .append('=')
                        .append(
                                e.getValue().isTextual()
                                        ? e.getValue().textValue()
                                        : e.getValue().toString());
            }
        }
        out.printf(
                "%-24s %-18s%s%s%n",
                r.path("ts").asText(),
                r.path("event").asText(),
                rest,
                r.has("message") ? "  (" + r.path("message").asText() + ")" : "");
    }
}
