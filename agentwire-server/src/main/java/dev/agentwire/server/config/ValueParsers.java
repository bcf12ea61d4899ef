package dev.agentwire.server.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/** Parsers from a {@link RawValue} to a typed value; each failure says what was expected. */
final class ValueParsers {

    private ValueParsers() {}

    static final Function<RawValue, Object> STRING = v -> v.text();

    static final Function<RawValue, Object> BOOLEAN = v -> switch (v.text().toLowerCase(Locale.ROOT)) {
        case "true", "yes", "on", "1" -> Boolean.TRUE;
        case "false", "no", "off", "0" -> Boolean.FALSE;
        default -> throw new IllegalArgumentException("expected true or false");
    };

    static Function<RawValue, Object> integer(long min, long max) {
        return v -> {
            long n;
            try {
                n = Long.parseLong(v.text().trim().replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a whole number");
            }
            if (n < min || n > max) {
                throw new IllegalArgumentException("expected a number from " + min + " to " + max);
            }
            return n;
        };
    }

    static Function<RawValue, Object> decimal(double min, double max) {
        return v -> {
            double d;
            try {
                d = Double.parseDouble(v.text().trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a number");
            }
            if (!(d >= min && d <= max)) {
                throw new IllegalArgumentException("expected a number from " + min + " to " + max);
            }
            return d;
        };
    }

    /** An octal file mode: {@code 0600}, {@code 600}, {@code 0o600}. */
    static final Function<RawValue, Object> FILE_MODE = v -> {
        String s = v.text().trim().toLowerCase(Locale.ROOT);
        if (s.startsWith("0o")) {
            s = s.substring(2);
        }
        if (!s.matches("[0-7]{1,4}")) {
            throw new IllegalArgumentException("expected an octal file mode like 0600 or 0660");
        }
        int mode = Integer.parseInt(s, 8);
        if (mode > 0777) {
            throw new IllegalArgumentException("expected a file mode of at most 0777");
        }
        return mode;
    };

    /** A byte size: {@code 1048576}, {@code 64KiB}, {@code 16MiB}, {@code 1GiB} (KB/MB/GB and k/m/g mean the same). */
    static Function<RawValue, Object> size(long min, long max) {
        return v -> {
            String s = v.text().trim().toLowerCase(Locale.ROOT).replace("_", "");
            long unit = 1;
            for (var u : List.of(
                    new Object[] {"kib", 1024L},
                    new Object[] {"mib", 1L << 20},
                    new Object[] {"gib", 1L << 30},
                    new Object[] {"kb", 1024L},
                    new Object[] {"mb", 1L << 20},
                    new Object[] {"gb", 1L << 30},
                    new Object[] {"k", 1024L},
                    new Object[] {"m", 1L << 20},
                    new Object[] {"g", 1L << 30},
                    new Object[] {"b", 1L})) {
                if (s.endsWith((String) u[0])) {
                    s = s.substring(0, s.length() - ((String) u[0]).length()).trim();
                    unit = (Long) u[1];
                    break;
                }
            }
            long n;
            try {
                n = Math.multiplyExact(Long.parseLong(s), unit);
            } catch (NumberFormatException | ArithmeticException e) {
                throw new IllegalArgumentException("expected a size like 65536, 64KiB or 16MiB");
            }
            if (n < min || n > max) {
                throw new IllegalArgumentException("expected a size from " + min + " to " + max + " bytes");
            }
            return n;
        };
    }

    static final Function<RawValue, Object> SERVICE_NAME = v -> {
        String name = v.text().trim();
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}")) {
            throw new IllegalArgumentException(
                    "expected a service name of 1-64 letters, digits, _ . or -, starting with a letter or digit");
        }
        return name;
    };

    /**
     * An executable for {@code security.allowProcesses}: an absolute path, resolved to its real path now (a link
     * such as /usr/bin/python3 becomes /usr/bin/python3.11), since a peer is matched by what /proc/PID/exe names.
     */
    static final Function<RawValue, Object> EXECUTABLE = v -> {
        String text = v.text().trim();
        Path path = Path.of(text);
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("expected the absolute path of an executable (like /usr/bin/python3),"
                    + " not a bare name: peers are matched by the real path of their executable, and a name would"
                    + " admit a copy of any program under that name");
        }
        Path real;
        try {
            real = path.toRealPath();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException(text + " does not exist");
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot resolve " + text + ": " + e.getMessage());
        }
        if (!Files.isRegularFile(real)) {
            throw new IllegalArgumentException(text + " is not a file");
        }
        return real.toString();
    };

    static Function<RawValue, Object> oneOf(Set<String> allowed) {
        return v -> {
            String s = v.text().trim().toLowerCase(Locale.ROOT);
            if (!allowed.contains(s)) {
                throw new IllegalArgumentException("expected one of " + new java.util.TreeSet<>(allowed));
            }
            return s;
        };
    }

    static Function<RawValue, Object> listOf(Function<RawValue, Object> element) {
        return v -> {
            List<Object> out = new ArrayList<>();
            for (String item : v.items()) {
                String t = item.trim();
                if (!t.isEmpty()) {
                    out.add(element.apply(RawValue.scalar(t, v.source())));
                }
            }
            return List.copyOf(out);
        };
    }
}
