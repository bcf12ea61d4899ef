package dev.agentwire.core.auth;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.core.audit.Audit;
import dev.agentwire.core.rpc.Access;
import dev.agentwire.core.rpc.Call;
import dev.agentwire.core.rpc.MethodRegistry;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/** {@code tokens/create} and {@code tokens/revoke}: both need the {@code admin} scope. */
public final class TokenMethods {

    private static final Pattern SCOPE = Pattern.compile("\\*|[a-z]+(:[a-z]+)?(:[A-Za-z0-9_.:@/\\-*]+)?");

    /** The longest a token may live: a year. */
    static final long MAX_TTL_SECONDS = 366L * 86_400;

    private final TokenService tokens;
    private final Audit audit;

    private TokenMethods(TokenService tokens, Audit audit) {
        this.tokens = tokens;
        this.audit = audit;
    }

    public static void register(MethodRegistry registry, TokenService tokens, Audit audit) {
        TokenMethods m = new TokenMethods(tokens, audit);
        registry.register("tokens/create", Access.scope("admin"), m::create);
        registry.register("tokens/revoke", Access.scope("admin"), m::revoke);
    }

    record Create(
            @JsonProperty("sub") String sub,
            @JsonProperty("scopes") List<String> scopes,
            @JsonProperty("ttlSeconds") Long ttlSeconds) {}

    private CompletionStage<JsonNode> create(Call call) {
        Create c = call.params(Create.class);
        if (c.sub() == null || c.sub().isBlank()) {
            throw HubException.of(ErrorCode.INVALID_PARAMS, "invalid_params", "tokens/create needs \"sub\"");
        }
        if (reserved(c.sub())) {
            var data = HubException.reasonData("reserved_subject");
            data.put("sub", c.sub());
            throw HubException.withData(
                    ErrorCode.FORBIDDEN,
                    "sub " + c.sub() + " names an identity the hub itself authenticates (uid:N, token, browser):"
                            + " a token cannot take it, or it would read that identity's inbox",
                    data);
        }
        List<String> scopes = c.scopes() == null ? List.of() : c.scopes();
        for (String s : scopes) {
            if (!SCOPE.matcher(s).matches()) {
                throw HubException.of(
                        ErrorCode.INVALID_PARAMS,
                        "invalid_scope",
                        "scope " + s + " is not like tools:call, rooms:write:lobby or rooms:read:*");
            }
        }
        long ttl = c.ttlSeconds() == null ? 3600 : c.ttlSeconds();
        if (ttl <= 0 || ttl > MAX_TTL_SECONDS) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS,
                    "invalid_params",
                    "ttlSeconds must be 1-" + MAX_TTL_SECONDS + " (a year), got " + ttl);
        }
        // A token mints only what it holds itself, lives no longer, and dies with its minter (revocation).
        Connection minter = call.connection();
        for (String s : scopes) {
            if (!Scopes.allows(minter.scopes(), s)) {
                var data = HubException.reasonData("scope_not_held");
                data.put("scope", s);
                throw HubException.withData(
                        ErrorCode.FORBIDDEN, "a token cannot grant the scope " + s + ": it does not hold it", data);
            }
        }
        TokenService.Grant own = minter.grant().orElseThrow();
        Duration life = Duration.ofSeconds(ttl);
        if (own.expiresAt().isPresent()) {
            Duration left =
                    Duration.between(tokens.clock().instant(), own.expiresAt().get());
            life = life.compareTo(left) > 0 ? left : life;
        }
        TokenService.Minted m = tokens.mint(c.sub(), scopes, life, own.revocableBy());
        var f = Audit.who(call.connection());
        f.put("sub", c.sub());
        scopes.forEach(f.putArray("scopes")::add);
        f.put("jti", m.jti());
        f.put("expiresAt", m.expiresAt().toString());
        audit.record("token_created", f);
        var out = Json.mapper().createObjectNode();
        out.put("token", m.token());
        out.put("jti", m.jti());
        out.put("expiresAt", m.expiresAt().toString());
        return CompletableFuture.completedFuture(out);
    }

    /** Subjects only the hub gives: a Unix peer's {@code uid:N}, the hub's own secret, the owner's browser login. */
    static boolean reserved(String sub) {
        return sub.startsWith("uid:") || sub.equals("token") || sub.equals("browser");
    }

    record Revoke(
            @JsonProperty("jti") String jti,
            @JsonProperty("expiresAt") String expiresAt) {}

    private CompletionStage<JsonNode> revoke(Call call) {
        Revoke r = call.params(Revoke.class);
        if (r.jti() == null || r.jti().isBlank()) {
            throw HubException.of(ErrorCode.INVALID_PARAMS, "invalid_params", "tokens/revoke needs \"jti\"");
        }
        Instant until = r.expiresAt() == null ? Instant.now().plus(Duration.ofDays(366)) : Instant.parse(r.expiresAt());
        tokens.revoke(r.jti(), until);
        var f = Audit.who(call.connection());
        f.put("jti", r.jti());
        audit.record("token_revoked", f);
        return CompletableFuture.completedFuture(
                Json.mapper().createObjectNode().put("revoked", r.jti()));
    }
}
