package dev.agentwire.server.web;

import dev.agentwire.core.Ticker;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/**
 * Browser logins as Jupyter does them: one-time login codes that the owner asks for ({@code aw open}), each
 * traded once for a browser session, the cookie's value. Both are 256 random bits, kept only in memory, so
 * a restart of the hub logs every browser out. Codes live {@link #CODE_TTL}; sessions live the configured
 * time ({@code security.loginCookieSeconds}).
 *
 * <p>Thread safe (one lock; every operation is a map lookup or insert). Secrets are stored and looked up by
 * their SHA-256, so no lookup compares a secret byte by byte. At most {@link #MAX_CODES} codes and
 * {@link #MAX_SESSIONS} sessions are kept: expired ones go first, then the ones closest to expiry.
 */
public final class BrowserLogins {

    /** How long a login code is good for. */
    public static final Duration CODE_TTL = Duration.ofMinutes(2);

    static final int MAX_CODES = 1_000;
    static final int MAX_SESSIONS = 10_000;

    /** A code for the owner to open: the secret, where it leads and until when. */
    public record Code(String code, String page, Instant expiresAt) {}

    /** What trading a code gave. */
    public sealed interface Redeemed {}

    /** A new browser session: the cookie's value and how long the browser should keep it. */
    public record Session(String cookie, Duration maxAge) implements Redeemed {}

    /** No session, and why. */
    public record Refused(Reason reason) implements Redeemed {}

    /** Why a code was refused. */
    public enum Reason {
        /** Not a code of this hub's run (or so old it was forgotten). */
        UNKNOWN,
        /** Traded already; a code works once. */
        USED,
        /** Older than {@link #CODE_TTL}. */
        EXPIRED
    }

    private record CodeState(String page, long expiresAtNanos, boolean used) {}

    private final Ticker ticker;
    private final Duration sessionTtl;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, CodeState> codes = new HashMap<>();
    private final Map<String, Long> sessions = new HashMap<>();

    public BrowserLogins(Ticker ticker, Duration sessionTtl) {
        if (sessionTtl.isNegative() || sessionTtl.isZero()) {
            throw new IllegalArgumentException("a session must last some time, got " + sessionTtl);
        }
        this.ticker = ticker;
        this.sessionTtl = sessionTtl;
    }

    /** How long a browser session lasts. */
    public Duration sessionTtl() {
        return sessionTtl;
    }

    /** A new one-time code that leads to {@code page} (a path of {@link HubPages}). */
    public Code issue(String page) {
        String code = secret();
        long now = ticker.nanoTime();
        synchronized (this) {
            forgetExpiredCodes(now);
            if (codes.size() >= MAX_CODES) {
                codes.entrySet().stream()
                        .min(Comparator.comparingLong(e -> e.getValue().expiresAtNanos()))
                        .ifPresent(e -> codes.remove(e.getKey()));
            }
            codes.put(digest(code), new CodeState(page, now + CODE_TTL.toNanos(), false));
        }
        return new Code(code, page, Instant.now().plus(CODE_TTL));
    }

    /** Trades {@code code} for a new session, once. A used code is remembered until it would have expired. */
    public Redeemed redeem(String code) {
        String key = digest(code);
        long now = ticker.nanoTime();
        synchronized (this) {
            CodeState s = codes.get(key);
            if (s == null) {
                return new Refused(Reason.UNKNOWN);
            }
            if (s.expiresAtNanos() - now <= 0) {
                codes.remove(key);
                return new Refused(Reason.EXPIRED);
            }
            if (s.used()) {
                return new Refused(Reason.USED);
            }
            codes.put(key, new CodeState(s.page(), s.expiresAtNanos(), true));
        }
        String cookie = secret();
        synchronized (this) {
            forgetExpiredSessions(now);
            if (sessions.size() >= MAX_SESSIONS) {
                sessions.entrySet().stream()
                        .min(Map.Entry.comparingByValue())
                        .ifPresent(e -> sessions.remove(e.getKey()));
            }
            sessions.put(digest(cookie), now + sessionTtl.toNanos());
        }
        return new Session(cookie, sessionTtl);
    }

    /** Whether {@code cookie} is a live session of this hub's run. */
    public boolean isSession(String cookie) {
        return remaining(cookie).isPresent();
    }

    /** How long the session {@code cookie} names has left, if it is a live session of this hub's run. */
    public java.util.Optional<Duration> remaining(String cookie) {
        String key = digest(cookie);
        synchronized (this) {
            Long expires = sessions.get(key);
            if (expires == null) {
                return java.util.Optional.empty();
            }
            long left = expires - ticker.nanoTime();
            if (left <= 0) {
                sessions.remove(key);
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(Duration.ofNanos(left));
        }
    }

    private void forgetExpiredCodes(long now) {
        codes.values().removeIf(s -> s.expiresAtNanos() - now <= 0);
    }

    private void forgetExpiredSessions(long now) {
        sessions.values().removeIf(expires -> expires - now <= 0);
    }

    /** 256 random bits, base64url without padding (43 characters). */
    private String secret() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String digest(String secret) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
