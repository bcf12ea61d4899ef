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
        description = "Generate code: aw generate client --language c|python|node|java|go|bash.",
        subcommands = {GenerateCommand.Client.class})
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
}
