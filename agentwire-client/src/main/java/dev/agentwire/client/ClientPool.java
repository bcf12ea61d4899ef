package dev.agentwire.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A fixed set of clients used in round robin, for throughput (the seed's connection pool). Thread safe.
 */
public final class ClientPool implements AutoCloseable {

    private final List<AgentwireClient> clients;
    private final AtomicInteger next = new AtomicInteger();

    private ClientPool(List<AgentwireClient> clients) {
        this.clients = List.copyOf(clients);
    }

    /**
     * Connects {@code size} clients, each from a fresh builder (so each has its own connection).
     *
     * @throws HubUnavailableException if any cannot connect (those already connected are closed)
     */
    public static ClientPool connect(int size, Supplier<AgentwireClient.Builder> builder) {
        if (size < 1) {
            throw new IllegalArgumentException("pool size must be at least 1: " + size);
        }
        List<AgentwireClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < size; i++) {
                clients.add(builder.get().connect());
            }
        } catch (RuntimeException e) {
            clients.forEach(AgentwireClient::close);
            throw e;
        }
        return new ClientPool(clients);
    }

    /** The next client in round-robin order. */
    public AgentwireClient next() {
        return clients.get(Math.floorMod(next.getAndIncrement(), clients.size()));
    }

    /** Sends a request on the next client. */
    public CompletableFuture<JsonNode> request(String method, JsonNode params) {
        return next().request(method, params);
    }

    public int size() {
        return clients.size();
    }

    public List<AgentwireClient> clients() {
        return clients;
    }

    @Override
    public void close() {
        clients.forEach(AgentwireClient::close);
    }
}
