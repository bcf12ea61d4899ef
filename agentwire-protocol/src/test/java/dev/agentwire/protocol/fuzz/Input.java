package dev.agentwire.protocol.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Bytes fed to a decoder, shown as a Java string literal with {@code \xNN} escapes, so that a failing input in a
 * jqwik report can be pasted back as a regression example with {@link #of(String)}.
 *
 * @param bytes the input; owned by the record, do not modify
 */
public record Input(byte[] bytes) {

    /** The bytes of {@code text} read with {@link #toString}'s escapes; other characters as UTF-8. */
    public static Input of(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\' || i + 1 == text.length()) {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            char e = text.charAt(++i);
            switch (e) {
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case '0' -> out.write(0);
                case 'x' -> {
                    out.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                default -> out.write(e);
            }
        }
        return new Input(out.toByteArray());
    }

    /** The UTF-8 bytes of {@code text}, taken literally. */
    public static Input utf8(String text) {
        return new Input(text.getBytes(StandardCharsets.UTF_8));
    }

    public int length() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Input other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return show(bytes.length);
    }

    /** Like {@link #toString} but only the first {@code max} bytes, for inputs too long to read in a report. */
    public String show(int max) {
        StringBuilder s = new StringBuilder(Math.min(bytes.length, max) + 32).append('"');
        for (int i = 0; i < Math.min(max, bytes.length); i++) {
            byte b = bytes[i];
            int c = b & 0xFF;
            switch (c) {
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                case '\\' -> s.append("\\\\");
                case '"' -> s.append("\\\"");
                default -> {
                    if (c >= 0x20 && c < 0x7F) {
                        s.append((char) c);
                    } else {
                        s.append(String.format("\\x%02X", c));
                    }
                }
            }
        }
        return s.append(bytes.length > max ? "\"... (" : "\" (")
                .append(bytes.length)
                .append(" bytes)")
                .toString();
    }
}
