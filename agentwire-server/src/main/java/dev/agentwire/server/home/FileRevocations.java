package dev.agentwire.server.home;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.auth.Revocations;
import dev.agentwire.protocol.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Revoked token ids in {@code AGENTWIRE_HOME/revoked.json} (mode 0600, rewritten atomically, read without
 * following a link), so a revocation outlives a restart. Entries past their token's expiry are dropped on the next write. Thread safe.
 */
public final class FileRevocations implements Revocations {

    private final Path file;
    private final Map<String, Long> revoked = new ConcurrentHashMap<>();

    public FileRevocations(Path file) {
        this.file = file;
        Optional<String> text = AtomicFiles.read(file);
        if (text.isPresent()) {
            try {
                Json.mapper()
                        .readTree(text.get())
                        .properties()
                        .forEach(e -> revoked.put(e.getKey(), e.getValue().asLong()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
    }

    @Override
    public boolean isRevoked(String jti) {
        return revoked.containsKey(jti);
    }

    @Override
    public synchronized void revoke(String jti, long expiresAtMillis) {
        revoked.put(jti, expiresAtMillis);
        long now = System.currentTimeMillis();
        revoked.values().removeIf(exp -> exp < now);
        ObjectNode json = Json.mapper().createObjectNode();
        revoked.forEach(json::put);
        AtomicFiles.write(file, json.toString());
    }
}
