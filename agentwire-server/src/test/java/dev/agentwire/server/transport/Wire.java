package dev.agentwire.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.Json;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Bytes in and out of an {@link EmbeddedChannel}: what a peer sends, and the hub's answers read back. */
final class Wire {

    private Wire() {}

    /** One HTTP response the hub wrote. */
    record Response(int status, Map<String, String> headers, byte[] body) {

        /** A header, by its name in any case, or null. */
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            return Wire.json(text());
        }

        /** {@code error.reason} of a JSON error body. */
        String reason() {
            return json().path("error").path("reason").asText();
        }

        @Override
        public String toString() {
            return status + " " + headers + " " + text();
        }
    }

    /** The peer sends {@code text} (ASCII) as one read. */
    static void send(EmbeddedChannel ch, String text) {
        send(ch, text.getBytes(StandardCharsets.ISO_8859_1));
    }

    static void send(EmbeddedChannel ch, byte[] bytes) {
        ch.writeInbound(Unpooled.wrappedBuffer(bytes));
        ch.runPendingTasks();
    }

    /** An HTTP/1.1 request head naming this hub's Host, with {@code headers} ("Name: value") and no body. */
    static String get(String target, String... headers) {
        return request("GET", target, "", headers);
    }

    /** RFC 6455's sample {@code Sec-WebSocket-Key}. */
    static final String WEBSOCKET_KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    /** A WebSocket upgrade request for {@code target}, naming this hub's Host, with {@code headers}. */
    static String upgrade(String target, String... headers) {
        List<String> all = new ArrayList<>(List.of(
                "Upgrade: websocket",
                "Connection: Upgrade",
                "Sec-WebSocket-Key: " + WEBSOCKET_KEY,
                "Sec-WebSocket-Version: 13"));
        all.addAll(List.of(headers));
        return get(target, all.toArray(String[]::new));
    }

    /** An HTTP/1.1 request naming this hub's Host; a body gets its Content-Length. */
    static String request(String method, String target, String body, String... headers) {
        StringBuilder s = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
        boolean host = Arrays.stream(headers).anyMatch(h -> h.regionMatches(true, 0, "Host:", 0, 5));
        if (!host) {
            s.append("Host: ").append(EmbeddedHub.HOST).append("\r\n");
        }
        for (String h : headers) {
            if (!h.isEmpty()) {
                s.append(h).append("\r\n");
            }
        }
        if (!body.isEmpty()) {
            s.append("Content-Length: ")
                    .append(body.getBytes(StandardCharsets.UTF_8).length)
                    .append("\r\n");
        }
        return s.append("\r\n").append(body).toString();
    }

    /**
     * Every byte the hub wrote since the last call, released. A {@link CloseWebSocketFrame} written as an object is
     * dropped: Netty's WebSocket handler writes one whenever an HTTP connection closes, upgraded or not, and only
     * an embedded channel takes it (a socket refuses anything but bytes, and the close goes ahead).
     */
    static byte[] written(EmbeddedChannel ch) {
        ch.runPendingTasks();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            try {
                if (o instanceof CloseWebSocketFrame) {
                    continue;
                }
                assertThat(o).as("what the hub wrote").isInstanceOf(ByteBuf.class);
                ByteBuf b = (ByteBuf) o;
                byte[] bytes = new byte[b.readableBytes()];
                b.readBytes(bytes);
                out.writeBytes(bytes);
            } finally {
                ReferenceCountUtil.release(o);
            }
        }
        return out.toByteArray();
    }

    /** The NDJSON lines the hub wrote since the last call. */
    static List<JsonNode> lines(EmbeddedChannel ch) {
        String text = new String(written(ch), StandardCharsets.UTF_8);
        List<JsonNode> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isEmpty()) {
                lines.add(json(line));
            }
        }
        return lines;
    }

    /** The HTTP responses the hub wrote since the last call (up to and with a 101). */
    static List<Response> responses(EmbeddedChannel ch) {
        return responses(written(ch));
    }

    /** The HTTP responses in {@code bytes} (up to and with a 101). */
    static List<Response> responses(byte[] bytes) {
        List<Response> out = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            int end = indexOf(bytes, at);
            assertThat(end).as("a complete response head").isNotNegative();
            String[] lines = new String(bytes, at, end - at, StandardCharsets.ISO_8859_1).split("\r\n");
            assertThat(lines[0]).matches("HTTP/1\\.1 \\d{3} .*");
            int status = Integer.parseInt(lines[0].substring(9, 12));
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(
                        lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
            at = end + 4;
            if (status == 101) {
                out.add(new Response(status, headers, new byte[0]));
                break;
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            out.add(new Response(status, headers, Arrays.copyOfRange(bytes, at, at + length)));
            at += length;
        }
        return out;
    }

    /** The one HTTP response the hub wrote since the last call. */
    static Response response(EmbeddedChannel ch) {
        List<Response> all = responses(ch);
        assertThat(all).as("one response").hasSize(1);
        return all.get(0);
    }

    static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + text, e);
        }
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i + 3 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
