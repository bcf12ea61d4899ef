package dev.agentwire.core.auth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Revoked token ids. The hub keeps them in {@code AGENTWIRE_HOME}; this in-memory one is for tests. */
public interface Revocations {

    boolean isRevoked(String jti);

    /** Revokes {@code jti} until {@code expiresAtMillis} (after which the token is dead anyway). */
    void revoke(String jti, long expiresAtMillis);

    /** Revocations held in memory only. */
    static Revocations inMemory() {
        Map<String, Long> revoked = new ConcurrentHashMap<>();
        return new Revocations() {
            @Override
            public boolean isRevoked(String jti) {
                return revoked.containsKey(jti);
            }

            @Override
            public void revoke(String jti, long expiresAtMillis) {
                revoked.put(jti, expiresAtMillis);
            }
        };
    }
}
