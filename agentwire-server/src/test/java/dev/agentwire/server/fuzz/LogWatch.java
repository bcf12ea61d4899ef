package dev.agentwire.server.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Watches what the hub logs (slf4j-simple writes to {@code System.err}) for signs of an exception that escaped a
 * handler: stack frames, "reached at the tail of the pipeline", ERROR lines, "unexpected error". Everything is
 * still passed on to the real {@code System.err}. Install once per test class; thread safe.
 */
final class LogWatch {

    private static final Pattern TROUBLE = Pattern.compile(
            "^\\s+at |reached at the tail of the pipeline|\\bERROR\\b|unexpected error|Exception|StackOverflowError");

    private final PrintStream original;
    private final List<String> trouble = new ArrayList<>();

    private LogWatch(PrintStream original) {
        this.original = original;
    }

    /** Starts watching {@code System.err}. */
    static LogWatch install() {
        LogWatch watch = new LogWatch(System.err);
        OutputStream tee = new OutputStream() {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream();

            @Override
            public void write(int b) {
                watch.original.write(b);
                if (b == '\n') {
                    watch.line(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                } else {
                    line.write(b);
                }
            }
        };
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
        return watch;
    }

    private synchronized void line(String line) {
        if (TROUBLE.matcher(line).find()) {
            trouble.add(line);
        }
    }

    /** The troubling lines logged since the last call. */
    synchronized List<String> take() {
        List<String> out = List.copyOf(trouble);
        trouble.clear();
        return out;
    }

    /** Puts {@code System.err} back. */
    void uninstall() {
        System.setErr(original);
    }
}
