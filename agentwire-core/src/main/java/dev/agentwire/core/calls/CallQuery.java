package dev.agentwire.core.calls;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.HubException;
import dev.agentwire.protocol.ErrorCode;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which recorded calls {@code calls/list} asks for: each filter given must match.
 *
 * @param id one record by its id
 * @param tool calls of this tool
 * @param service requests to this service (any action)
 * @param caller calls by this connection name or identity
 * @param since calls that started at or after this epoch millisecond
 * @param limit at most this many, the newest
 */
public record CallQuery(
        Optional<Long> id,
        Optional<String> tool,
        Optional<String> service,
        Optional<String> caller,
        Optional<Long> since,
        int limit) {

    /** The limit when none is given. */
    public static final int DEFAULT_LIMIT = 100;

    /** The largest limit one call may ask for. */
    public static final int MAX_LIMIT = 1000;

    private static final Set<String> KEYS = Set.of("id", "tool", "service", "caller", "since", "limit");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");
    private static final Pattern EPOCH = Pattern.compile("\\d{1,15}");

    /**
     * Reads {@code calls/list}'s params; {@code since} is a duration back from {@code nowMs} ({@code 10m},
     * {@code 30s}, {@code 2h}, {@code 1d}, {@code 500ms}) or epoch milliseconds (a number, or digits).
     *
     * @throws HubException {@code -32602} naming the parameter that is wrong
     */
    public static CallQuery parse(JsonNode params, long nowMs) {
        if (params.isMissingNode() || params.isNull()) {
            return new CallQuery(
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    DEFAULT_LIMIT);
        }
        if (!params.isObject()) {
            throw bad("calls/list takes its params as an object");
        }
        for (String key : (Iterable<String>) params::fieldNames) {
            if (!KEYS.contains(key)) {
                throw bad("calls/list: unknown parameter " + key + "; known: " + new java.util.TreeSet<>(KEYS));
            }
        }
        Optional<Long> id = Optional.empty();
        JsonNode idNode = params.get("id");
        if (idNode != null && !idNode.isNull()) {
            if (!idNode.canConvertToExactIntegral() || !idNode.canConvertToLong() || idNode.asLong() <= 0) {
                throw bad("calls/list: id must be a positive whole number, got " + idNode);
            }
            id = Optional.of(idNode.asLong());
        }
        int limit = DEFAULT_LIMIT;
        JsonNode l = params.get("limit");
        if (l != null && !l.isNull()) {
            if (!l.canConvertToExactIntegral() || !l.canConvertToLong() || l.asLong() < 1 || l.asLong() > MAX_LIMIT) {
                throw bad("calls/list: limit must be a whole number from 1 to " + MAX_LIMIT + ", got " + l);
            }
            limit = l.asInt();
        }
        return new CallQuery(
                id,
                text(params, "tool"),
                text(params, "service"),
                text(params, "caller"),
                since(params.get("since"), nowMs),
                limit);
    }

    private static Optional<Long> since(JsonNode v, long nowMs) {
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (v.canConvertToExactIntegral() && v.canConvertToLong() && v.asLong() >= 0) {
            return Optional.of(v.asLong());
        }
        if (v.isTextual()) {
            String s = v.textValue().trim();
            if (EPOCH.matcher(s).matches()) {
                return Optional.of(Long.parseLong(s));
            }
            Matcher m = DURATION.matcher(s);
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                long unit = switch (m.group(2)) {
                    case "ms" -> 1L;
                    case "s" -> 1_000L;
                    case "m" -> 60_000L;
                    case "h" -> 3_600_000L;
                    default -> 86_400_000L;
                };
                // Further back than the epoch: everything.
                return Optional.of(n > nowMs / unit ? 0 : nowMs - n * unit);
            }
        }
        throw bad("calls/list: since must be a duration back from now (10m, 30s, 2h, 1d, 500ms) or epoch"
                + " milliseconds, got " + v);
    }

    private static Optional<String> text(JsonNode params, String field) {
        JsonNode v = params.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual() || v.textValue().isEmpty()) {
            throw bad("calls/list: " + field + " must be a non-empty string, got " + v);
        }
        return Optional.of(v.textValue());
    }

    private static HubException bad(String message) {
        return HubException.of(ErrorCode.INVALID_PARAMS, "invalid_params", message);
    }
}
