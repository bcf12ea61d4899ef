package dev.agentwire.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.rpc.Interceptor;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

/**
 * What the features asked the kernel to tell them, in install order: the kernel runs these, and knows no
 * feature by name. Filled while the hub is assembled; the connection listeners also take the embedder's later.
 */
final class Hooks {

    final List<Consumer<Connection>> opened = new CopyOnWriteArrayList<>();
    final List<Consumer<Connection>> authenticated = new CopyOnWriteArrayList<>();
    final List<Consumer<Connection>> closed = new CopyOnWriteArrayList<>();
    final List<BiPredicate<Connection, JsonNode>> cancellers = new ArrayList<>();
    final List<BiPredicate<Connection, JsonNode>> progressors = new ArrayList<>();
    final List<BiPredicate<Connection, JsonNode>> messengers = new ArrayList<>();
    final List<BiConsumer<Connection, ObjectNode>> describers = new ArrayList<>();
    final List<HubContext.Hello> hello = new ArrayList<>();
    final List<Consumer<ObjectNode>> status = new CopyOnWriteArrayList<>();
    final List<Consumer<MeterRegistry>> meters = new ArrayList<>();
    final List<Interceptor> interceptors = new ArrayList<>();
    final List<AutoCloseable> stops = new ArrayList<>();
    /** What the features provide to each other and the embedder ({@link HubContext#provide}). */
    final java.util.Map<Class<?>, Object> services = new java.util.concurrent.ConcurrentHashMap<>();

    /** Tells each listener; one that throws is logged, and the others still hear (a close must not stop halfway). */
    static <T> void each(List<Consumer<T>> listeners, T value) {
        for (Consumer<T> l : listeners) {
            try {
                l.accept(value);
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(Hooks.class).warn("a hook failed for {}", value, e);
            }
        }
    }

    /** Offers a provider's progress to each feature in turn; the first whose call it names relays it. */
    boolean progress(Connection c, JsonNode params) {
        for (BiPredicate<Connection, JsonNode> p : progressors) {
            if (p.test(c, params)) {
                return true;
            }
        }
        return false;
    }

    /** Offers a provider's log message to every feature: each relays it to the callers waiting on that provider. */
    void message(Connection c, JsonNode params) {
        for (BiPredicate<Connection, JsonNode> m : messengers) {
            m.test(c, params);
        }
    }

    /** Asks each feature in turn whether the cancelled id is one of its calls; the first that knows it ends it. */
    boolean cancel(Connection c, JsonNode params) {
        for (BiPredicate<Connection, JsonNode> canceller : cancellers) {
            if (canceller.test(c, params)) {
                return true;
            }
        }
        return false;
    }
}
