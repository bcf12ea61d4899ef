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
import java.util.Set;
import java.util.UUID;

/**
 * Mints and checks tokens. The hub's shared secret itself is a token with every scope; scoped tokens are JWTs
 * (HS256 with that secret) with {@code sub}, {@code scope} (a list), {@code jti}, {@code iat} and {@code exp}.
 * Thread safe.
 */
public final class TokenService {

    /** A token's verdict: who it names and what it allows. */
    public record Grant(String subject, Set<String> scopes) {}

    /** A minted token. */
    public record Minted(String token, String jti, Instant expiresAt) {}

    private static final String ISSUER = "agentwire";

    private final byte[] secret;
    private final Algorithm algorithm;
    private final JWTVerifier verifier;
    private final Revocations revocations;
    private final Clock clock;

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
        Instant now = clock.instant();
        Instant exp = now.plus(ttl);
        String jti = UUID.randomUUID().toString();
        String token = JWT.create()
                .withIssuer(ISSUER)
                .withSubject(subject)
                .withArrayClaim("scope", scopes.toArray(String[]::new))
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
        if (jwt.getId() != null && revocations.isRevoked(jwt.getId())) {
            throw HubException.fatal(ErrorCode.FORBIDDEN, "token_revoked", "the token " + jwt.getId() + " was revoked");
        }
        List<String> scopes = jwt.getClaim("scope").asList(String.class);
        return new Grant(
                jwt.getSubject() == null ? "anonymous" : jwt.getSubject(),
                Set.copyOf(scopes == null ? List.of() : scopes));
    }

    /** Revokes a token by id; it is refused from now on. */
    public void revoke(String jti, Instant expiresAt) {
        revocations.revoke(jti, expiresAt.toEpochMilli());
    }
}
