package dev.agentwire.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Parses {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h} (or a bare number of seconds). */
final class Durations {

    private static final Pattern FORM = Pattern.compile("(\\d+)(ms|s|m|h)?");

    private Durations() {}

    static Duration parse(String text, CommandLine cl) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            throw new CommandLine.ParameterException(cl, "'" + text + "' is not a duration like 500ms, 30s, 5m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration d = switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
        if (d.isZero()) {
            throw new CommandLine.ParameterException(cl, "a duration must be positive, got '" + text + "'");
        }
        return d;
    }
}
