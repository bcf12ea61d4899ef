package dev.agentwire.protocol.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * JSON-RPC texts: valid requests, notifications, responses, errors and batches, and the same with structural
 * mutations (wrong types, missing fields, huge and fractional ids, deep nesting, batches with junk, numbers out
 * of range, duplicate keys, trailing garbage, a BOM, NUL and broken UTF-8 inside strings) and byte-level ones.
 *
 * <p>Messages are built as lists of raw JSON members, so a mutation can put any token anywhere, including ones a
 * JSON library would refuse to write.
 */
public final class JsonRpcCorpus {

    /**
     * Methods that read and change nothing lasting, with typical params; the hub fuzz tests call only these (and
     * names mutated from them), so a fuzz run cannot spawn, register or persist anything.
     */
    public static final Map<String, String> HARMLESS_METHODS = Map.ofEntries(
            Map.entry("hub/ping", ""),
            Map.entry("ping", ""),
            Map.entry("hub/status", "{}"),
            Map.entry("hub/hello", "{\"name\":\"fuzz\",\"role\":\"agent\"}"),
            Map.entry(
                    "initialize",
                    "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"x\",\"version\":\"1\"}}"),
            Map.entry("notifications/initialized", ""),
            Map.entry("tools/list", "{}"),
            Map.entry("sessions/list", "{}"),
            Map.entry("rooms/list", "{}"),
            Map.entry("services/list", "{}"),
            Map.entry("router/budget", "{}"),
            Map.entry(
                    "router/route",
                    "{\"token_count\":5000,\"task_type\":\"coding\",\"priority\":\"high\",\"max_latency\":3000}"),
            Map.entry("no/such", "{\"x\":1}"));

    private static final List<String> METHODS =
            List.copyOf(HARMLESS_METHODS.keySet().stream().sorted().toList());

    private static final List<String> IDS = List.of(
            "0",
            "1",
            "-1",
            "42",
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "18446744073709551616",
            "1" + "0".repeat(1_200),
            "1e400",
            "1.5",
            "1.0",
            "-0",
            "1E2",
            "true",
            "null",
            "{}",
            "[]",
            "\"\"",
            "\"x\"",
            "\"" + "a".repeat(10_000) + "\"",
            "\"\\ud800\"",
            "\"\\udc00\\ud800\"",
            "\"\\u0000\"",
            "\"\u00e9\ud83d\ude00\"");

    private static final List<String> VERSIONS =
            List.of("\"1.0\"", "2.0", "null", "\"2.0 \"", "\"2\"", "\"\\u0032.0\"", "[\"2.0\"]", "{}");

    private static final List<String> METHOD_VALUES = List.of(
            "42",
            "\"\"",
            "null",
            "\"rpc.x\"",
            "\"" + "m".repeat(5_000) + "\"",
            "\"hub/ping\\u0000\"",
            "[\"hub/ping\"]",
            "\"hub/p\\u0069ng\"",
            "{\"name\":\"hub/ping\"}");

    private static final List<String> PARAMS = List.of(
            "\"str\"",
            "7",
            "true",
            "null",
            "[]",
            "[1,2]",
            "{}",
            "{\"a\":{\"b\":[1,{\"c\":null}]}}",
            "{\"name\":5,\"role\":[],\"token\":{},\"session\":1e400}",
            "{\"token_count\":-1,\"priority\":\"urgent\",\"max_latency\":1e400}",
            "{\"token_count\":1e400}",
            "{\"categories\":\"system\"}");

    private static final List<String> ERRORS = List.of(
            "{\"code\":-32600,\"message\":\"x\"}",
            "{\"code\":\"x\",\"message\":\"x\"}",
            "{\"code\":1.5,\"message\":\"x\"}",
            "{\"code\":4294967296,\"message\":\"x\"}",
            "{\"message\":\"x\"}",
            "{\"code\":1,\"message\":5}",
            "{\"code\":1,\"message\":\"x\",\"data\":{\"reason\":\"r\"}}",
            "\"oops\"",
            "null",
            "[]");

    private static final List<String> NUMBERS = List.of(
            "1e400",
            "-1e400",
            "1e-400",
            "123456789012345678901234567890",
            "0.1",
            "-0.0",
            "1" + "0".repeat(1_001),
            "9223372036854775808",
            "1.7976931348623157e308",
            "4.9e-324",
            "-9223372036854775809");

    private static final List<String> JUNK = List.of(
            "1",
            "\"x\"",
            "null",
            "true",
            "[]",
            "{}",
            "[[1]]",
            "[{\"jsonrpc\":\"2.0\",\"method\":\"ping\"}]",
            "{\"jsonrpc\":\"2.0\"}",
            "{\"jsonrpc\":\"2.0\",\"method\":\"ping\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":null}");

    private static final List<Integer> DEPTHS = List.of(1, 10, 100, 500, 998, 999, 1000, 1001, 3000);

    private JsonRpcCorpus() {}

    /** One member of a raw JSON object. */
    record Member(String name, String raw) {}

    /** A JSON object kept as raw members, in order, duplicates allowed. */
    record Raw(List<Member> members) {
        Raw {
            members = List.copyOf(members);
        }

        Raw with(String name, String raw) {
            List<Member> out = new ArrayList<>();
            boolean replaced = false;
            for (Member m : members) {
                if (m.name().equals(name) && !replaced) {
                    out.add(new Member(name, raw));
                    replaced = true;
                } else {
                    out.add(m);
                }
            }
            if (!replaced) {
                out.add(new Member(name, raw));
            }
            return new Raw(out);
        }

        Raw without(String name) {
            return new Raw(members.stream().filter(m -> !m.name().equals(name)).toList());
        }

        Raw plus(String name, String raw) {
            List<Member> out = new ArrayList<>(members);
            out.add(new Member(name, raw));
            return new Raw(out);
        }

        String render() {
            StringBuilder s = new StringBuilder("{");
            for (int i = 0; i < members.size(); i++) {
                if (i > 0) {
                    s.append(',');
                }
                s.append('"')
                        .append(members.get(i).name())
                        .append("\":")
                        .append(members.get(i).raw());
            }
            return s.append('}').toString();
        }
    }

    /** A structural change to one message. */
    record Twist(Kind kind, int pick) {
        enum Kind {
            ID,
            VERSION,
            METHOD,
            PARAMS,
            REMOVE,
            RESULT,
            ERROR,
            DUPLICATE_KEY,
            DEEP,
            NUMBER,
            EXTRA_MEMBER
        }

        Raw apply(Raw m) {
            return switch (kind) {
                case ID -> m.with("id", pick(IDS));
                case VERSION -> m.with("jsonrpc", pick(VERSIONS));
                case METHOD -> m.with("method", pick(METHOD_VALUES));
                case PARAMS -> m.with("params", pick(PARAMS));
                case REMOVE ->
                    m.without(List.of("id", "jsonrpc", "method", "params", "result", "error")
                            .get(pick % 6));
                case RESULT -> m.with("result", pick % 2 == 0 ? "null" : "{\"ok\":true}");
                case ERROR -> m.with("error", pick(ERRORS));
                case DUPLICATE_KEY ->
                    m.members().isEmpty()
                            ? m
                            : m.plus(
                                    m.members().get(pick % m.members().size()).name(),
                                    m.members().get(pick % m.members().size()).raw());
                case DEEP -> {
                    int depth = DEPTHS.get(pick % DEPTHS.size());
                    String open = pick % 2 == 0 ? "[".repeat(depth) : "{\"a\":".repeat(depth);
                    String close = pick % 2 == 0 ? "]".repeat(depth) : "}".repeat(depth);
                    yield m.with("params", "{\"deep\":" + open + "1" + close + "}");
                }
                case NUMBER -> m.with("params", "{\"n\":" + pick(NUMBERS) + "}");
                case EXTRA_MEMBER -> m.plus("x" + pick % 3, pick(JUNK));
            };
        }

        private String pick(List<String> values) {
            return values.get(pick % values.size());
        }
    }

    /** A change to the rendered bytes of a text. */
    record ByteTwist(Kind kind, int pick) {
        enum Kind {
            BOM,
            NUL_IN_STRING,
            BAD_UTF8_IN_STRING,
            CONTROL_IN_STRING,
            TRAILING,
            LEADING_SPACE
        }

        byte[] apply(byte[] text) {
            return switch (kind) {
                case BOM -> concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, text);
                case NUL_IN_STRING -> intoString(text, new byte[] {0});
                case BAD_UTF8_IN_STRING ->
                    intoString(text, Mutation.TOKENS.get(6 + pick % 6)); // overlong, surrogate, >U+10FFFF, FF, 80, cut
                case CONTROL_IN_STRING -> intoString(text, new byte[] {(byte) (1 + pick % 31)});
                case TRAILING ->
                    concat(text, bytes(List.of("}", "x", " {}", "]", ",", " 1").get(pick % 6)));
                case LEADING_SPACE ->
                    concat(bytes(List.of(" ", "\t", "\r", "  \t").get(pick % 4)), text);
            };
        }

        /** Inserts {@code piece} right after the opening quote of a string value. */
        private byte[] intoString(byte[] text, byte[] piece) {
            String s = new String(text, StandardCharsets.ISO_8859_1);
            int at = s.indexOf(":\"", pick % Math.max(1, s.length()));
            if (at < 0) {
                at = s.indexOf(":\"");
            }
            if (at < 0) {
                return text;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(text.length + piece.length);
            out.write(text, 0, at + 2);
            out.writeBytes(piece);
            out.write(text, at + 2, text.length - at - 2);
            return out.toByteArray();
        }
    }

    /** A valid single message: request, notification, result or error response. */
    public static String validMessage(Gen g) {
        return validRaw(g).render();
    }

    private static Raw validRaw(Gen g) {
        String m = g.pick(METHODS);
        String id = switch (g.weighted(2, 3, 2)) {
            case 0 -> String.valueOf(g.anyLong());
            case 1 -> String.valueOf(g.between(0, 1000));
            default -> quote(g.string(12));
        };
        Raw r = new Raw(List.of(new Member("jsonrpc", "\"2.0\"")));
        String params = HARMLESS_METHODS.get(m);
        return switch (g.weighted(5, 2, 2, 1)) {
            case 0 -> withParams(r.plus("id", id).plus("method", quote(m)), params);
            case 1 -> withParams(r.plus("method", quote(m)), params);
            case 2 -> r.plus("id", id).plus("result", value(g, 2));
            default ->
                r.plus("id", id).plus("error", "{\"code\":-32601,\"message\":\"no\",\"data\":" + value(g, 2) + "}");
        };
    }

    /** A valid message or a valid batch of up to four. */
    public static String validText(Gen g) {
        if (g.chance(80)) {
            return validMessage(g);
        }
        int n = g.between(1, 4);
        List<String> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            l.add(validMessage(g));
        }
        return "[" + String.join(",", l) + "]";
    }

    /** Valid texts with structural, then sometimes byte-level, mutations: what most hub inputs look like. */
    public static Input mutatedText(Gen g) {
        String text = switch (g.weighted(6, 2, 1)) {
            case 0 -> twisted(g);
            case 1 -> {
                int n = g.between(0, 5);
                List<String> l = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    l.add(g.chance(60) ? twisted(g) : g.pick(JUNK));
                }
                yield "[" + String.join(",", l) + "]";
            }
            default -> g.pick(JUNK);
        };
        byte[] out = text.getBytes(StandardCharsets.UTF_8);
        for (int i = g.between(0, 2); i > 0; i--) {
            out = new ByteTwist(g.pick(ByteTwist.Kind.values()), g.between(0, 1_000)).apply(out);
        }
        if (g.chance(20)) {
            out = Mutation.havoc(g, out, 3, SEEDS, 1 << 16);
        }
        return new Input(out);
    }

    /** Any JSON-RPC text: valid, mutated, or random bytes. */
    public static Input anyText(Gen g) {
        return switch (g.weighted(2, 6, 1)) {
            case 0 -> Input.utf8(validText(g));
            case 1 -> mutatedText(g);
            default -> new Input(g.bytes(64));
        };
    }

    private static String twisted(Gen g) {
        Raw r = validRaw(g);
        for (int i = g.between(0, 3); i > 0; i--) {
            r = new Twist(g.pick(Twist.Kind.values()), g.between(0, 1_000)).apply(r);
        }
        return r.render();
    }

    /** Fixed valid texts, for splicing. */
    public static final List<byte[]> SEEDS = List.of(
            bytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/ping\"}"),
            bytes("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"),
            bytes("[{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"ping\"},{\"jsonrpc\":\"2.0\",\"method\":\"x\"}]"),
            bytes("{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"pong\":true}}"),
            bytes("{\"jsonrpc\":\"2.0\",\"id\":4,\"error\":{\"code\":-32601,\"message\":\"no\"}}"),
            bytes("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"router/route\",\"params\":{\"token_count\":5000}}"));

    /** A small JSON value: scalars, strings with escapes and non-ASCII, arrays and objects. */
    static String value(Gen g, int depth) {
        int kind = g.weighted(4, 2, 2, depth > 0 ? 1 : 0, depth > 0 ? 1 : 0);
        switch (kind) {
            case 0:
                return g.pick("null", "true", "false", "0", "-1", "3.25", "1e10", "-0.0");
            case 1:
                return String.valueOf(g.anyLong());
            case 2:
                return quote(g.string(8));
            case 3: {
                int n = g.between(0, 3);
                List<String> l = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    l.add(value(g, depth - 1));
                }
                return "[" + String.join(",", l) + "]";
            }
            default: {
                int n = g.between(0, 3);
                StringBuilder s = new StringBuilder("{");
                for (int i = 0; i < n; i++) {
                    s.append(i > 0 ? "," : "")
                            .append("\"k")
                            .append(i)
                            .append("\":")
                            .append(value(g, depth - 1));
                }
                return s.append('}').toString();
            }
        }
    }

    private static Raw withParams(Raw r, String params) {
        return params.isEmpty() ? r : r.plus("params", params);
    }

    /** {@code s} as a JSON string literal. */
    public static String quote(String s) {
        try {
            return dev.agentwire.protocol.Json.mapper().writeValueAsString(s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
