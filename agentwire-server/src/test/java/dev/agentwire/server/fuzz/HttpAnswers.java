package dev.agentwire.server.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads back what the hub sent on an HTTP connection: responses, and after a {@code 101}, the WebSocket bytes. */
final class HttpAnswers {

    private static final Pattern STATUS_LINE = Pattern.compile("^HTTP/1\\.1 (\\d{3}) [^\r\n]*$");

    private HttpAnswers() {}

    /** One response. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        @Override
        public String toString() {
            return status + " " + headers + " "
                    + new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
        }
    }

    /**
     * The responses, and the bytes after a {@code 101 Switching Protocols} (empty if there was none).
     *
     * @param responses in order
     * @param upgraded the WebSocket bytes after a 101
     */
    record Read(List<Response> responses, byte[] upgraded) {}

    /** Parses {@code bytes}; fails on anything that is not a well-formed sequence of HTTP/1.1 responses. */
    static Read read(byte[] bytes) {
        List<Response> out = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            int end = indexOf(bytes, at, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            if (end < 0) {
                throw new AssertionError("a response head cut short: " + ascii(bytes, at, bytes.length));
            }
            String[] lines = ascii(bytes, at, end).split("\r\n");
            Matcher status = STATUS_LINE.matcher(lines[0]);
            if (!status.matches()) {
                throw new AssertionError("not a status line: " + lines[0]);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon <= 0) {
                    throw new AssertionError("not a header: " + lines[i]);
                }
                headers.put(
                        lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
            int code = Integer.parseInt(status.group(1));
            at = end + 4;
            if (code == 101) {
                out.add(new Response(code, headers, new byte[0]));
                return new Read(out, Arrays.copyOfRange(bytes, at, bytes.length));
            }
            int length = code == 100 ? 0 : Integer.parseInt(headers.getOrDefault("content-length", "-1"));
            if (length < 0) { // delimited by the close
                length = bytes.length - at;
            }
            if (at + length > bytes.length) {
                throw new AssertionError(
                        "a body cut short: " + length + " bytes declared, " + (bytes.length - at) + " sent");
            }
            out.add(new Response(code, headers, Arrays.copyOfRange(bytes, at, at + length)));
            at += length;
        }
        return new Read(out, new byte[0]);
    }

    private static int indexOf(byte[] b, int from, byte[] what) {
        outer:
        for (int i = from; i <= b.length - what.length; i++) {
            for (int k = 0; k < what.length; k++) {
                if (b[i + k] != what[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String ascii(byte[] b, int from, int to) {
        return new String(b, from, Math.min(to - from, 2_000), StandardCharsets.ISO_8859_1);
    }
}
