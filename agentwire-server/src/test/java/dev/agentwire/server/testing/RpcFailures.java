package dev.agentwire.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentwire.client.RpcException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Waits for a call that must fail with a JSON-RPC error, and returns the error. */
public final class RpcFailures {

    private RpcFailures() {}

    public static RpcException rpcError(CompletableFuture<?> f) {
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
        assertThat(e.getCause()).isInstanceOf(RpcException.class);
        return (RpcException) e.getCause();
    }
}
