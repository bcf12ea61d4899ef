package dev.agentwire.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A terminal's raw output as plain lines, for people and scripts: control sequences removed, {@code \r\n} read as
 * one line end, and a line overwritten after a lone {@code \r} shows what was written last (as a terminal would,
 * roughly: no cursor movement is replayed). Stateless.
 */
final class TermText {

    private static final Pattern CONTROLS = Pattern.compile("\u001b\\][^\u0007\u001b]*(?:\u0007|\u001b\\\\)?"
            + "|\u001b[P_^X][^\u001b]*(?:\u001b\\\\)?"
            + "|\u001b\\[[0-?]*[ -/]*[@-~]"
            + "|\u001b[ -/]*[0-~]");

    private TermText() {}

    /** {@code raw} without control sequences, lines ending in {@code \n}. */
    static String plain(String raw) {
        String text = CONTROLS.matcher(raw).replaceAll("");
        String[] lines = text.split("\n", -1);
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) {
                out.append('\n');
            }
            out.append(line(lines[i]));
        }
        return out.toString();
    }

    /** The last {@code n} lines of {@link #plain}. */
    static List<String> lastLines(String raw, int n) {
        String[] lines = plain(raw).split("\n", -1);
        int end = lines.length;
        if (end > 0 && lines[end - 1].isEmpty()) {
            end--; // the text ended with a line end
        }
        List<String> out = new ArrayList<>();
        for (int i = Math.max(0, end - n); i < end; i++) {
            out.add(lines[i]);
        }
        return out;
    }

    private static String line(String line) {
        String s = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        int cr = s.lastIndexOf('\r');
        if (cr >= 0) {
            s = s.substring(cr + 1);
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\b') {
                if (b.length() > 0) {
                    b.setLength(b.length() - 1);
                }
            } else if (c >= ' ' || c == '\t') {
                b.append(c);
            }
        }
        return b.toString();
    }
}
