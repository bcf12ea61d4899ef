package dev.agentwire.core.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import dev.agentwire.core.HubException;
import dev.agentwire.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Mints and checks tokens. The hub's shared secret itself is a token with every scope; scoped tokens are JWTs
 * (HS256 with that secret) with {@code sub}, {@code scope} (a list), {@code jti}, {@code iat} and {@code exp}.
 * Thread safe.
 */
public final class TokenService {

    /**
     * A credential's verdict: who it names, what it allows, and (for a scoped token) its id and expiry, which
     * the hub checks again on every call.
     */
    public record Grant(
            String subject,
            Set<String> scopes,
            Optional<String> jti,
            Optional<Instant> expiresAt,
            List<String> ancestors) {

        public Grant {
            scopes = Set.copyOf(scopes);
            ancestors = List.copyOf(ancestors);
        }

        /** A grant with no ancestors: a token the hub's owner minted, or the browser login. */
        public Grant(String subject, Set<String> scopes, Optional<String> jti, Optional<Instant> expiresAt) {
            this(subject, scopes, jti, expiresAt, List.of());
        }

        /** A grant that neither expires nor can be revoked (the hub's token, the owner's uid). */
        public Grant(String subject, Set<String> scopes) {
            this(subject, scopes, Optional.empty(), Optional.empty());
        }

        /** The token ids whose revocation ends this grant: its own and those of the tokens that minted it. */
        public List<String> revocableBy() {
            List<String> ids = new java.util.ArrayList<>(ancestors);
            jti.ifPresent(ids::add);
            return ids;
        }
    }

    /** A minted token. */
    public record Minted(String token, String jti, Instant expiresAt) {}

    private static final String ISSUER = "agentwire";

    private final byte[] secret;
    private final Algorithm algorithm;
    private final JWTVerifier verifier;
    private final Revocations revocations;
    private final Clock clock;
    private final List<Consumer<String>> revokeListeners = new CopyOnWriteArrayList<>();

    public TokenService(String secret, Revocations revocations, Clock clock) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.algorithm = Algorithm.HMAC256(this.secret);
        this.verifier =
                JWT.require(algorithm).withIssuer(ISSUER).acceptLeeway(0).build();
        this.revocations = revocations;
        this.clock = clock;
    }

    /** A JWT for {@code subject} with {@code scopes}, valid for {@code ttl}. */
    public Minted mint(String subject, List<String> scopes, Duration ttl) {
        return mint(subject, scopes, ttl, List.of());
    }

    /**
     * The same, minted by another scoped token: {@code ancestors} are the ids of that token and of those that
     * minted it, so that revoking any of them ends this one too.
     */
    public Minted mint(String subject, List<String> scopes, Duration ttl, List<String> ancestors) {
        Instant now = clock.instant();
        Instant exp = now.plus(ttl);
        String jti = UUID.randomUUID().toString();
        String token = JWT.create()
                .withIssuer(ISSUER)
                .withSubject(subject)
                .withArrayClaim("scope", scopes.toArray(String[]::new))
                .withArrayClaim("anc", ancestors.toArray(String[]::new))
                .withJWTId(jti)
                .withIssuedAt(now)
                .withExpiresAt(exp)
                .sign(algorithm);
        return new Minted(token, jti, exp);
    }

    /**
     * What {@code token} grants.
     *
     * @throws HubException {@code -32005}: {@code bad_token} (tampered, malformed, another hub's),
     *     {@code token_expired}, {@code token_revoked}
     */
    public Grant verify(String token) {
        if (MessageDigest.isEqual(secret, token.getBytes(StandardCharsets.UTF_8))) {
            return new Grant("token", Scopes.ALL);
        }
        DecodedJWT jwt;
        try {
            jwt = verifier.verify(token);
        } catch (TokenExpiredException e) {
            throw HubException.fatal(ErrorCode.FORBIDDEN, "token_expired", "the token expired at " + e.getExpiredOn());
        } catch (JWTVerificationException e) {
            throw HubException.fatal(ErrorCode.FORBIDDEN, "bad_token", "the token is not valid for this hub");
        }
        if (jwt.getExpiresAtAsInstant() != null && !jwt.getExpiresAtAsInstant().isAfter(clock.instant())) {
            throw HubException.fatal(
                    ErrorCode.FORBIDDEN, "token_expired", "the token expired at " + jwt.getExpiresAtAsInstant());
        }
        List<String> scopes = jwt.getClaim("scope").asList(String.class);
        List<String> ancestors = jwt.getClaim("anc").asList(String.class);
        Grant grant = new Grant(
                jwt.getSubject() == null ? "anonymous" : jwt.getSubject(),
                Set.copyOf(scopes == null ? List.of() : scopes),
                Optional.ofNullable(jwt.getId()),
                Optional.ofNullable(jwt.getExpiresAtAsInstant()),
                ancestors == null ? List.of() : ancestors);
        recheck(grant); // revoked, or minted by a token that was
        return grant;
    }

    /**
     * Checks again that a grant made earlier still holds: not expired, not revoked. Cheap (a clock read and a
     * map lookup); the hub calls it for every call.
     *
     * @throws HubException {@code -32005} {@code token_expired} or {@code token_revoked}, fatal
     */
    public void recheck(Grant grant) {
        if (grant.expiresAt().isPresent() && !grant.expiresAt().get().isAfter(clock.instant())) {
            throw HubException.fatal(
                    ErrorCode.FORBIDDEN,
                    "token_expired",
                    "the token expired at " + grant.expiresAt().get());
        }
        for (String id : grant.revocableBy()) {
            if (revocations.isRevoked(id)) {
                throw HubException.fatal(
                        ErrorCode.FORBIDDEN,
                        "token_revoked",
                        grant.jti().filter(id::equals).isPresent()
                                ? "the token " + id + " was revoked"
                                : "the token that minted this one (" + id + ") was revoked");
            }
        }
    }

    /** Revokes a token by id; it is refused from now on, and the listeners are told (to close its connections). */
    public void revoke(String jti, Instant expiresAt) {
        revocations.revoke(jti, expiresAt.toEpochMilli());
        for (Consumer<String> l : revokeListeners) {
            l.accept(jti);
        }
    }

    /** Tells {@code listener} the id of every token revoked from now on. */
    public void onRevoke(Consumer<String> listener) {
        revokeListeners.add(listener);
    }

    /** The hub's clock, for timers that end a grant at its expiry. */
    public Clock clock() {
        return clock;
    }
}
