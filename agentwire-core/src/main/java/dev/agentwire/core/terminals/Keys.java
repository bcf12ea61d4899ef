package dev.agentwire.core.terminals;

import dev.agentwire.core.HubException;
import dev.agentwire.protocol.ErrorCode;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The keys {@code terminals/key} knows, and the bytes a terminal sends for them (xterm's). Stateless. */
public final class Keys {

    /** The key names, for messages. */
    public static final String KNOWN = "Enter, Tab, Escape, Backspace, Up, Down, Left, Right, Home, End, PageUp,"
            + " PageDown, Delete, Insert, F1-F12, Ctrl-A..Ctrl-Z (also C-c, Ctrl+C)";

    private static final Map<String, String> KEYS = new LinkedHashMap<>();

    static {
        KEYS.put("enter", "\r");
        KEYS.put("tab", "\t");
        KEYS.put("escape", "\u001b");
        KEYS.put("backspace", "\u007f");
        KEYS.put("up", "\u001b[A");
        KEYS.put("down", "\u001b[B");
        KEYS.put("right", "\u001b[C");
        KEYS.put("left", "\u001b[D");
        KEYS.put("home", "\u001b[H");
        KEYS.put("end", "\u001b[F");
        KEYS.put("pageup", "\u001b[5~");
        KEYS.put("pagedown", "\u001b[6~");
        KEYS.put("delete", "\u001b[3~");
        KEYS.put("insert", "\u001b[2~");
        String[] f = {
            "\u001bOP",
            "\u001bOQ",
            "\u001bOR",
            "\u001bOS",
            "\u001b[15~",
            "\u001b[17~",
            "\u001b[18~",
            "\u001b[19~",
            "\u001b[20~",
            "\u001b[21~",
            "\u001b[23~",
            "\u001b[24~"
        };
        for (int i = 0; i < f.length; i++) {
            KEYS.put("f" + (i + 1), f[i]);
        }
        for (char c = 'a'; c <= 'z'; c++) {
            KEYS.put("ctrl-" + c, String.valueOf((char) (c - 'a' + 1)));
        }
    }

    private Keys() {}

    /** The bytes for {@code key} (case and the arrow words are forgiven: "Enter", "ArrowUp", "C-c", "Ctrl+C"). */
    static String bytes(String key) {
        return find(key).orElseThrow(() -> {
            var data = HubException.reasonData("unknown_key");
            data.put("key", String.valueOf(key));
            return HubException.withData(ErrorCode.INVALID_PARAMS, "unknown key " + key + "; known: " + KNOWN, data);
        });
    }

    /** The bytes for {@code key}, or empty if it names no key (see {@link #bytes} for the names taken). */
    public static Optional<String> find(String key) {
        if (key == null) {
            return Optional.empty();
        }
        String k = key.toLowerCase(Locale.ROOT)
                .replace("arrow", "")
                .replace('+', '-')
                .replace(" ", "");
        if (k.startsWith("c-")) {
            k = "ctrl-" + k.substring(2);
        }
        if (k.startsWith("control-")) {
            k = "ctrl-" + k.substring(8);
        }
        if (k.equals("esc")) {
            k = "escape";
        }
        if (k.equals("return")) {
            k = "enter";
        }
        return Optional.ofNullable(KEYS.get(k));
    }
}
