package dev.agentwire.server.transport;

import dev.agentwire.protocol.ErrorCode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;

/** The HTTP status that goes with each hub error code on the HTTP API. */
final class HttpStatuses {

    private static final Map<Integer, HttpResponseStatus> BY_CODE = Map.ofEntries(
            Map.entry(ErrorCode.PARSE_ERROR.code(), HttpResponseStatus.BAD_REQUEST),
            Map.entry(ErrorCode.INVALID_REQUEST.code(), HttpResponseStatus.BAD_REQUEST),
            Map.entry(ErrorCode.INVALID_PARAMS.code(), HttpResponseStatus.BAD_REQUEST),
            Map.entry(ErrorCode.METHOD_NOT_FOUND.code(), HttpResponseStatus.NOT_FOUND),
            Map.entry(ErrorCode.NOT_FOUND.code(), HttpResponseStatus.NOT_FOUND),
            Map.entry(ErrorCode.TIMEOUT.code(), HttpResponseStatus.GATEWAY_TIMEOUT),
            Map.entry(ErrorCode.NO_PROVIDER.code(), HttpResponseStatus.SERVICE_UNAVAILABLE),
            Map.entry(ErrorCode.PROVIDER_GONE.code(), HttpResponseStatus.BAD_GATEWAY),
            Map.entry(ErrorCode.RATE_LIMITED.code(), HttpResponseStatus.TOO_MANY_REQUESTS),
            Map.entry(ErrorCode.FORBIDDEN.code(), HttpResponseStatus.FORBIDDEN),
            Map.entry(ErrorCode.TOO_LARGE.code(), HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE),
            Map.entry(ErrorCode.OVERLOADED.code(), HttpResponseStatus.SERVICE_UNAVAILABLE),
            Map.entry(ErrorCode.CANCELLED.code(), HttpResponseStatus.CONFLICT),
            Map.entry(EnvelopeHandler.SERVICE_ERROR, HttpResponseStatus.UNPROCESSABLE_ENTITY));

    private HttpStatuses() {}

    /** 404, 409, 429, 503, 504, ... for a hub error code; 500 for anything else. */
    static HttpResponseStatus of(int code) {
        return BY_CODE.getOrDefault(code, HttpResponseStatus.INTERNAL_SERVER_ERROR);
    }

    /**
     * The status of an error: by its code, except that an error a service answered ({@code -32000}) is read
     * by its own code: {@code *_NOT_FOUND} is 404, {@code CONFLICT}, {@code *_COLLISION} and
     * {@code *_EXISTS} are 409 (the seed's {@code NAMESPACE_COLLISION}), anything else 422.
     */
    static HttpResponseStatus of(int code, String reason) {
        if (code != EnvelopeHandler.SERVICE_ERROR) {
            return of(code);
        }
        String r = reason.toUpperCase(java.util.Locale.ROOT);
        if (r.equals("NOT_FOUND") || r.endsWith("_NOT_FOUND")) {
            return HttpResponseStatus.NOT_FOUND;
        }
        if (r.equals("CONFLICT") || r.endsWith("_COLLISION") || r.endsWith("_EXISTS")) {
            return HttpResponseStatus.CONFLICT;
        }
        return HttpResponseStatus.UNPROCESSABLE_ENTITY;
    }
}
