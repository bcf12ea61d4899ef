package dev.agentwire.server.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.Framing;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.fuzz.Reference;
import dev.agentwire.protocol.fuzz.SpecOracle;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a hub connection answered, read back from its bytes, and what {@code docs/PROTOCOL.md} says it should
 * answer to the units a stream decodes to: for each JSON text, the {@link SpecOracle}'s answer; for a typed
 * Heartbeat, its echo; for another frame type, a {@code -32600} Error frame.
 */
final class Answers {

    private Answers() {}

    /** One answer: a single response, a batch of them, a heartbeat echo, or an Error frame. */
    sealed interface Answer {}

    /**
     * A response to one message.
     *
     * @param id its id
     * @param code its error code; {@code null} for a result, or (expected only) for "a result or any error"
     * @param anyOutcome (expected only) whether any result or error will do
     */
    record Single(Id id, Integer code, boolean anyOutcome) implements Answer {}

    /** An array of responses, in order. */
    record Batch(List<Single> entries) implements Answer {}

    /** A Heartbeat frame with this payload. */
    record Heartbeat(String payloadHex) implements Answer {}

    /** An Error frame with this code. */
    record ErrorFrame(int code) implements Answer {}

    /** The answers the hub owes for {@code units} read in {@code framing}. */
    static List<Answer> expected(Framing framing, List<Reference.Unit> units) {
        List<Answer> out = new ArrayList<>();
        for (Reference.Unit u : units) {
            if (framing == Framing.TYPED && u.type() == 0x07) {
                out.add(new Heartbeat(hex(u.payload().bytes())));
            } else if (framing == Framing.TYPED && u.type() != 0x10) {
                out.add(new ErrorFrame(-32600));
            } else {
                expectedFor(SpecOracle.expect(u.payload().bytes()), out);
            }
        }
        return out;
    }

    /** The answer one JSON text gets (if any) appended to {@code out}. */
    static void expectedFor(SpecOracle.Expected e, List<Answer> out) {
        if (e instanceof SpecOracle.Batch b) {
            List<Single> entries = new ArrayList<>();
            for (SpecOracle.Expected entry : b.entries()) {
                single(entry).ifPresent(entries::add);
            }
            if (!entries.isEmpty()) {
                out.add(new Batch(entries));
            }
        } else {
            single(e).ifPresent(out::add);
        }
    }

    private static java.util.Optional<Single> single(SpecOracle.Expected e) {
        if (e instanceof SpecOracle.Answered a) {
            return java.util.Optional.of(new Single(a.id(), null, true));
        }
        if (e instanceof SpecOracle.Error err) {
            return java.util.Optional.of(new Single(err.id(), err.code(), false));
        }
        return java.util.Optional.empty();
    }

    /** Reads the hub's answers from {@code bytes} in {@code framing}; notifications the hub sent are left out. */
    static List<Answer> actual(Framing framing, byte[] bytes) throws IOException {
        List<Answer> out = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        while (in.hasRemaining()) {
            switch (framing) {
                case NDJSON -> {
                    int start = in.position();
                    int end = start;
                    while (end < bytes.length && bytes[end] != '\n') {
                        end++;
                    }
                    if (end == bytes.length) {
                        throw new AssertionError("an answer line without its newline: " + text(bytes, start, end));
                    }
                    json(Arrays.copyOfRange(bytes, start, end), out);
                    in.position(end + 1);
                }
                case LENGTH_PREFIXED -> {
                    int n = in.getInt();
                    byte[] json = new byte[n];
                    in.get(json);
                    json(json, out);
                }
                case TYPED -> {
                    int type = in.get() & 0xFF;
                    byte[] payload = new byte[in.getInt()];
                    in.get(payload);
                    switch (type) {
                        case 0x10 -> json(payload, out);
                        case 0x07 -> out.add(new Heartbeat(hex(payload)));
                        case 0x06 ->
                            out.add(new ErrorFrame(
                                    Json.mapper().readTree(payload).path("code").asInt()));
                        default -> throw new AssertionError("the hub sent a frame of type " + type);
                    }
                }
                case HTTP -> throw new IllegalArgumentException();
            }
        }
        return out;
    }

    /** One JSON-RPC text the hub sent, as an answer (unless it is a notification). */
    static void json(byte[] text, List<Answer> out) throws IOException {
        JsonNode node = Json.mapper().readTree(text);
        if (node.isArray()) {
            List<Single> entries = new ArrayList<>();
            node.forEach(e -> entries.add(single(e)));
            out.add(new Batch(entries));
        } else if (!node.has("method")) {
            out.add(single(node));
        }
    }

    private static Single single(JsonNode r) {
        JsonNode id = r.get("id");
        Id parsed =
                id == null || id.isNull() ? Id.NULL : id.isTextual() ? Id.of(id.textValue()) : Id.of(id.longValue());
        JsonNode error = r.get("error");
        return new Single(parsed, error == null ? null : error.path("code").asInt(), false);
    }

    /** Whether an actual answer is one the expected answer allows. */
    static boolean matches(Answer expected, Answer actual) {
        if (expected instanceof Single e && actual instanceof Single a) {
            return e.id().equals(a.id()) && (e.anyOutcome() || Objects.equals(e.code(), a.code()));
        }
        if (expected instanceof Batch e && actual instanceof Batch a) {
            if (e.entries().size() != a.entries().size()) {
                return false;
            }
            for (int i = 0; i < e.entries().size(); i++) {
                if (!matches(e.entries().get(i), a.entries().get(i))) {
                    return false;
                }
            }
            return true;
        }
        return expected.equals(actual);
    }

    /**
     * Pairs each actual answer with an expected one; returns the expected answers left over. Fails on an actual
     * answer nothing expected.
     */
    static List<Answer> pair(List<Answer> expected, List<Answer> actual) {
        List<Answer> left = new ArrayList<>(expected);
        for (Answer a : actual) {
            int at = -1;
            for (int i = 0; i < left.size() && at < 0; i++) {
                if (matches(left.get(i), a)) {
                    at = i;
                }
            }
            if (at < 0) {
                throw new AssertionError(
                        "an answer nothing asked for: " + a + "\nexpected: " + expected + "\nactual: " + actual);
            }
            left.remove(at);
        }
        return left;
    }

    /** Whether any answer carries {@code code} (e.g. -32603, which is always a bug). */
    static boolean anyCode(List<Answer> answers, int code) {
        for (Answer a : answers) {
            if (a instanceof Single s && Objects.equals(s.code(), code)) {
                return true;
            }
            if (a instanceof Batch b && anyCode(new ArrayList<>(b.entries()), code)) {
                return true;
            }
            if (a instanceof ErrorFrame f && f.code() == code) {
                return true;
            }
        }
        return false;
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x", x));
        }
        return s.toString();
    }

    private static String text(byte[] b, int from, int to) {
        return new String(b, from, Math.min(to - from, 500), java.nio.charset.StandardCharsets.UTF_8);
    }
}
