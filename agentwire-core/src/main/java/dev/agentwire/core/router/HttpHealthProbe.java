package dev.agentwire.core.router;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A {@link HealthProbe} over HTTP with the JDK's client: {@code GET url}, healthy on any 2xx. The request runs on
 * the probe's own daemon thread (started on the first check, not before; DNS and connecting never happen on the
 * caller's thread) and is bounded twice: the client's request timeout, and a deadline of timeout + 1 s on the
 * whole check (a server that sends its headers and then stalls its body). Thread safe.
 */
public final class HttpHealthProbe implements HealthProbe {

    private ExecutorService executor;
    private HttpClient client;
    private boolean closed;

    @Override
    public CompletionStage<Optional<String>> check(URI url, Duration timeout) {
        ExecutorService ex;
        HttpClient c;
        synchronized (this) {
            if (closed) {
                return CompletableFuture.completedFuture(Optional.of("the hub is stopping"));
            }
            if (executor == null) {
                executor = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "aw-router-health");
                    t.setDaemon(true);
                    return t;
                });
                client = HttpClient.newBuilder()
                        .executor(executor)
                        .connectTimeout(timeout)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build();
            }
            ex = executor;
            c = client;
        }
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("User-Agent", "agentwire-router-health")
                .GET()
                .build();
        CompletableFuture<Optional<String>> out;
        // The exchange itself, so that a check past its deadline ends it (a server that sends headers and then
        // stalls the body is not held by the request's timeout), instead of leaving a connection open per check.
        var exchange = new java.util.concurrent.atomic.AtomicReference<CompletableFuture<HttpResponse<Void>>>();
        try {
            out = CompletableFuture.supplyAsync(
                            () -> {
                                var f = c.sendAsync(request, HttpResponse.BodyHandlers.discarding());
                                exchange.set(f);
                                return f;
                            },
                            ex)
                    .thenCompose(f -> f)
                    .thenApply(HttpHealthProbe::judge);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(Optional.of("the hub is stopping"));
        }
        long ms = timeout.toMillis();
        return out.orTimeout(ms + 1000, TimeUnit.MILLISECONDS)
                .whenComplete((r, e) -> {
                    var f = exchange.get();
                    if (f != null && !f.isDone()) {
                        f.cancel(true);
                    }
                })
                .exceptionally(e -> Optional.of(describe(e, ms)));
    }

    private static Optional<String> judge(HttpResponse<Void> r) {
        return r.statusCode() / 100 == 2 ? Optional.empty() : Optional.of("HTTP " + r.statusCode());
    }

    private static String describe(Throwable e, long timeoutMs) {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (t instanceof HttpTimeoutException || t instanceof java.util.concurrent.TimeoutException) {
            return "no answer within " + timeoutMs + " ms";
        }
        if (t instanceof ConnectException) {
            return "cannot connect" + (t.getMessage() == null ? "" : ": " + t.getMessage());
        }
        if (t instanceof IOException || t instanceof RejectedExecutionException) {
            return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        }
        return t.toString();
    }

    /**
     * Ends the probe's thread. The client's own selector thread ends with the client: at once where the JDK's
     * client can be closed (21 and later), else once it is collected (Java 17 has no way to end it sooner).
     */
    @Override
    public synchronized void close() {
        closed = true;
        if (executor != null) {
            executor.shutdownNow();
        }
        if (client instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                // closing only ends its threads; nothing is lost
            }
        }
        client = null;
        executor = null;
    }
}
