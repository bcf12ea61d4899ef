package dev.agentwire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code aw call TOOL '{json}'}: calls a tool and prints its result. */
@Command(
        name = "call",
        mixinStandardHelpOptions = true,
        description = {
            "Call a tool of a session and print its result.",
            "Prints the text content (or the structured content with --json); exits 1 if the tool reports an error."
        })
final class CallCommand extends HubCall {

    @Parameters(index = "0", paramLabel = "TOOL", description = "the tool's name")
    String tool;

    @Parameters(
            index = "1",
            paramLabel = "ARGS",
            defaultValue = "{}",
            description = "the arguments as a JSON object (default: {})")
    String arguments;

    @Mixin
    SessionOption session;

    @Override
    String session() {
        return session.session;
    }

    @Override
    Ask prepare() {
        JsonNode args = jsonArgument(arguments, "ARGS");
        if (!args.isObject()) {
            throw usage("ARGS must be a JSON object, like '{\"selector\":\"main\"}'");
        }
        Duration timeout = client.timeout(Duration.ofSeconds(60));
        ProgressLine progress = new ProgressLine(spec.commandLine().getErr());
        return hub -> {
            try {
                return hub.tools().call(tool, args, timeout, progress::update).get();
            } finally {
                progress.finish();
            }
        };
    }

    @Override
    void printText(PrintWriter out, JsonNode result) {
        for (JsonNode item : result.path("content")) {
            out.println(
                    item.path("type").asText().equals("text")
                            ? item.path("text").asText()
                            : item.toString());
        }
    }

    /** 1 if the tool reports an error. */
    @Override
    int done(JsonNode result) {
        return result.path("isError").asBoolean() ? ExitCodes.ERROR : ExitCodes.OK;
    }

    /** A one-line progress bar on stderr, redrawn in place as notifications/progress arrive. */
    static final class ProgressLine {
        private static final int WIDTH = 30;
        private final PrintWriter err;
        private boolean drawn;

        ProgressLine(PrintWriter err) {
            this.err = err;
        }

        synchronized void update(JsonNode p) {
            double done = p.path("progress").asDouble();
            String message = p.path("message").asText("");
            String line;
            if (p.hasNonNull("total") && p.path("total").asDouble() > 0) {
                double total = p.path("total").asDouble();
                int filled = (int) Math.round(WIDTH * Math.min(1, done / total));
                line = String.format(
                        Locale.ROOT,
                        "[%s%s] %3.0f%% %s",
                        "#".repeat(filled),
                        " ".repeat(WIDTH - filled),
                        100 * Math.min(1, done / total),
                        message);
            } else {
                line = String.format(Locale.ROOT, "[%s] %s", Double.toString(done), message);
            }
            err.print("\r" + line + "\u001b[K");
            err.flush();
            drawn = true;
        }

        synchronized void finish() {
            if (drawn) {
                err.println();
                err.flush();
                drawn = false;
            }
        }
    }
}
