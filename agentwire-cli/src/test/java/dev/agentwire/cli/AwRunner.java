package dev.agentwire.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs {@code aw} in this JVM with captured output, or builds the command line for a separate process. */
final class AwRunner {

    private AwRunner() {}

    /** What a run printed and returned. */
    record Result(int code, String out, String err) {}

    static Result aw(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Aw.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    /** {@code java -cp <this classpath> dev.agentwire.cli.Aw ARGS...}: aw as its own process. */
    static List<String> processCommand(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Aw.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }
}
