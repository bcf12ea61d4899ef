package dev.agentwire.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.rpc.Call;
import dev.agentwire.core.rpc.Interceptor;
import dev.agentwire.core.rpc.Method;
import dev.agentwire.core.rpc.MethodRegistry;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.MessageCodec;
import dev.agentwire.protocol.Parsed;
import dev.agentwire.protocol.RpcError;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs decoded messages: each call passes the interceptors, then its handler, and its reply goes back through
 * the connection's {@link Outbound}.
 *
 * <p>Threading: {@link #dispatch} is called on a transport I/O thread. A call runs there only when its method
 * is {@link Method#inline} and the connection has nothing queued (so order is kept); otherwise it runs on the
 * connection's serial queue over the worker pool. Thread safe.
 */
final class Dispatcher {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final MethodRegistry registry;
    private final List<Interceptor> interceptors;
    private final Ticker ticker;
    private final HubCore hub;

    Dispatcher(HubCore hub, MethodRegistry registry, List<Interceptor> interceptors, Ticker ticker) {
        this.hub = hub;
        this.registry = registry;
        this.interceptors = List.copyOf(interceptors);
        this.ticker = ticker;
    }

    void dispatch(Connection c, Parsed parsed, int size) {
        hub.metrics().bytesIn(size);
        c.countIn(size);
        if (parsed instanceof Parsed.Invalid invalid) {
            // Behind what came before it (a hub/hello being checked on a worker): then a stranger's junk gets one
            // answer and the door, since answering every line would queue answers for a peer that never reads.
            Runnable answer = () -> {
                if (c.isAuthenticated()) {
                    c.outbound().send(invalid.toResponse());
                } else {
                    c.outbound().sendAndClose(invalid.toResponse());
                }
            };
            if (c.serial().isIdle()) {
                answer.run();
            } else {
                c.serial().execute(answer);
            }
        } else if (parsed instanceof Parsed.Batch batch) {
            int max = hub.settings().limits().maxBatchEntries();
            if (batch.entries().size() > max) {
                // Refused before anything in it runs, so that nothing half-happens.
                var data = HubException.reasonData("batch_too_large");
                data.put("limit", max);
                data.put("size", batch.entries().size());
                c.outbound()
                        .send(new Message.ErrorResponse(
                                Id.NULL,
                                HubException.withData(
                                                ErrorCode.TOO_LARGE,
                                                "batch size (" + batch.entries().size()
                                                        + " calls) exceeds the allowed maximum (" + max
                                                        + ", limits.maxBatchEntries); send fewer calls per batch",
                                                data)
                                        .toRpcError()));
                return;
            }
            c.serial().execute(() -> runBatch(c, batch, size));
        } else {
            Message m = ((Parsed.Valid) parsed).message();
            Optional<Call> call = toCall(c, m, size);
            if (call.isEmpty()) {
                return;
            }
            boolean inline =
                    registry.find(call.get().method()).map(Method::inline).orElse(true);
            if (inline && c.serial().isIdle()) {
                runOne(call.get());
            } else {
                c.serial().execute(() -> runOne(call.get()));
            }
        }
    }

    private Optional<Call> toCall(Connection c, Message m, int size) {
        long now = ticker.nanoTime();
        if (m instanceof Message.Request r) {
            return Optional.of(new Call(c, Optional.of(r.id()), r.method(), r.params(), size, now));
        }
        if (m instanceof Message.Notification n) {
            return Optional.of(new Call(c, Optional.empty(), n.method(), n.params(), size, now));
        }
        // A reply to a request the hub sent this peer (a relayed tool call). It waits behind what the peer sent
        // before it, so that its progress notifications reach the caller first.
        if (c.serial().isIdle()) {
            c.requests().complete(m, size);
        } else {
            c.serial().execute(() -> c.requests().complete(m, size));
        }
        return Optional.empty();
    }

    private void runOne(Call call) {
        execute(call).thenAccept(reply -> {
            reply.ifPresent(r -> {
                if (r.fatal) {
                    call.connection().outbound().sendAndClose(r.message);
                } else {
                    call.connection().outbound().send(r.message);
                }
            });
            finished(call.connection(), 1);
        });
    }

    /** Counts calls as done only after their replies were handed to the transport, then checks for idle. */
    private void finished(Connection c, int calls) {
        for (int i = 0; i < calls; i++) {
            c.inflightCounter().decrementAndGet();
            hub.calls().finished();
        }
        c.checkIdle();
    }

    private void runBatch(Connection c, Parsed.Batch batch, int size) {
        List<CompletableFuture<Optional<Reply>>> replies =
                new ArrayList<>(batch.entries().size());
        int started = 0;
        for (Parsed entry : batch.entries()) {
            if (entry instanceof Parsed.Invalid invalid) {
                replies.add(CompletableFuture.completedFuture(Optional.of(new Reply(invalid.toResponse(), false))));
            } else if (entry instanceof Parsed.Valid valid) {
                Optional<Call> call = toCall(c, valid.message(), size);
                started += call.isPresent() ? 1 : 0;
                replies.add(
                        call.isPresent()
                                ? execute(call.get()).toCompletableFuture()
                                : CompletableFuture.completedFuture(Optional.empty()));
            } else {
                replies.add(CompletableFuture.completedFuture(Optional.of(new Reply(
                        new Message.ErrorResponse(
                                Id.NULL,
                                RpcError.of(
                                        ErrorCode.INVALID_REQUEST, "a batch must not contain a batch", "nested_batch")),
                        false))));
            }
        }
        int calls = started;
        CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).thenRun(() -> {
            List<Message> out = new ArrayList<>();
            boolean fatal = false;
            for (CompletableFuture<Optional<Reply>> f : replies) {
                Optional<Reply> r = f.join();
                if (r.isPresent()) {
                    out.add(r.get().message);
                    fatal |= r.get().fatal;
                }
            }
            if (!out.isEmpty()) {
                sendBatchAnswer(c, out);
            }
            if (fatal) {
                c.outbound().close();
            }
            finished(c, calls);
        });
    }

    /**
     * Sends a batch's answer, or, when it is larger than the peer may have queued ({@code limits.maxOutboundBytes}),
     * one {@code -32006} naming both sizes instead of the answer (which would close the peer as a slow consumer
     * with no reason given). The calls in it did run: their effects stay.
     */
    private void sendBatchAnswer(Connection c, List<Message> out) {
        long max = hub.settings().limits().maxOutboundBytes();
        long size = 0;
        for (Message m : out) {
            size += MessageCodec.encode(m).length + 1;
            if (size > max) {
                break;
            }
        }
        if (size <= max) {
            c.outbound().sendBatch(out);
            return;
        }
        var data = HubException.reasonData("answer_too_large");
        data.put("limit", max);
        data.put("size", size);
        c.outbound()
                .send(new Message.ErrorResponse(
                        Id.NULL,
                        HubException.withData(
                                        ErrorCode.TOO_LARGE,
                                        "the batch's answer (over " + size + " bytes) exceeds the allowed maximum ("
                                                + max + " bytes, limits.maxOutboundBytes); its " + out.size()
                                                + " calls ran, but their answers were dropped: ask in smaller"
                                                + " batches",
                                        data)
                                .toRpcError()));
    }

    /**
     * Runs a call through the chain; completes with the reply to send, if any. Never completes exceptionally.
     * The caller must call {@link #finished} once the reply is handed over.
     */
    private CompletionStage<Optional<Reply>> execute(Call call) {
        Connection c = call.connection();
        c.inflightCounter().incrementAndGet();
        hub.calls().started();
        CompletionStage<JsonNode> stage;
        try {
            stage = hub.isAccepting()
                    ? proceed(call, 0)
                    : CompletableFuture.failedFuture(
                            HubException.of(ErrorCode.OVERLOADED, "shutting_down", "the hub is shutting down"));
        } catch (Throwable e) {
            // A handler that throws anything gets an error answer; nothing escapes to kill the worker silently.
            stage = CompletableFuture.failedFuture(e);
        }
        return stage.handle((result, error) -> {
            if (call.id().isEmpty()) {
                if (error != null) {
                    log.debug(
                            "{}: notification {} failed: {}",
                            c,
                            call.method(),
                            unwrap(error).getMessage());
                }
                return Optional.empty();
            }
            Id id = call.id().get();
            if (error == null) {
                return Optional.of(new Reply(new Message.Response(id, result), false));
            }
            Throwable cause = unwrap(error);
            if (cause instanceof HubException he) {
                return Optional.of(new Reply(new Message.ErrorResponse(id, he.toRpcError()), he.fatal()));
            }
            log.error("{}: {} failed", c, call.method(), cause);
            return Optional.of(new Reply(
                    new Message.ErrorResponse(
                            id,
                            RpcError.of(
                                    ErrorCode.INTERNAL_ERROR,
                                    call.method() + " failed inside the hub: " + cause,
                                    "internal_error")),
                    false));
        });
    }

    private CompletionStage<JsonNode> proceed(Call call, int index) {
        if (index < interceptors.size()) {
            return interceptors.get(index).intercept(call, next -> proceed(next, index + 1));
        }
        Optional<Method> method = registry.find(call.method());
        if (method.isEmpty()) {
            throw HubException.of(
                    ErrorCode.METHOD_NOT_FOUND, "method_not_found", "method " + call.method() + " does not exist");
        }
        CompletionStage<JsonNode> result = method.get().handler().handle(call);
        if (result == null) {
            throw new IllegalStateException("handler of " + call.method() + " returned null");
        }
        return result;
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private record Reply(Message message, boolean fatal) {}
}
