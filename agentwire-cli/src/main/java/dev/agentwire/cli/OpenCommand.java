package dev.agentwire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code aw open [PAGE] [--no-browser]}: logs a browser in to one of the hub's pages, as Jupyter does. It asks
 * the running hub (over its Unix socket, as the owner) for a one-time login link, prints it and opens it.
 */
@Command(
        name = "open",
        mixinStandardHelpOptions = true,
        description = {
            "Log a browser in to a page of the hub: asks the running hub for a one-time login link (good once, for"
                    + " 2 minutes), prints it and opens it in the default browser.",
            "PAGE: dashboard (the default, the hub's page at /), terminals or demo."
        })
final class OpenCommand extends HubCall {

    @Parameters(index = "0", arity = "0..1", paramLabel = "PAGE", defaultValue = "dashboard")
    String page;

    @Option(names = "--no-browser", description = "print the link only; open it yourself")
    boolean noBrowser;

    @Override
    Ask prepare() {
        return request("auth/login-code", Json.mapper().createObjectNode().put("page", page));
    }

    @Override
    void printText(PrintWriter out, JsonNode login) {
        out.println(login.path("url").asText());
    }

    /** Opens the link in the default browser, unless --no-browser. */
    @Override
    int done(JsonNode login) {
        if (!noBrowser) {
            String url = login.path("url").asText();
            List<String> opener = List.of(
                    System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("mac") ? "open" : "xdg-open",
                    url);
            try {
                new ProcessBuilder(opener)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
            } catch (IOException e) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("aw open: cannot start " + opener.get(0) + " (" + e.getMessage()
                        + "); open the link above in a browser within 2 minutes");
                err.flush();
            }
        }
        return ExitCodes.OK;
    }
}
