package dev.agentwire.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.audit.Audit;
import dev.agentwire.core.auth.TokenService;
import dev.agentwire.core.events.EventBus;
import dev.agentwire.core.rpc.Interceptor;
import dev.agentwire.core.rpc.MethodRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

/**
 * What a {@link Feature} may use of the hub: the method registry, the kernel's services (events, audit, tokens,
 * timers, the clock), the other features' services it names, and hooks into the connections' lives. Not the hub:
 * a feature sees nothing else, and after the hub is assembled the hooks are fixed.
 */
public final class HubContext {

    /** Told of a reply being built for {@code hub/hello}: the peer, the call's params, the reply. */
    @FunctionalInterface
    public interface Hello {
        void greeted(Connection c, JsonNode params, ObjectNode reply);
    }

    private final HubCore hub;
    private final Hooks hooks;
    private volatile boolean sealed;

    HubContext(HubCore hub, Hooks hooks) {
        this.hub = hub;
        this.hooks = hooks;
    }

    public MethodRegistry registry() {
        return hub.registry();
    }

    public CoreSettings settings() {
        return hub.settings();
    }

    public Ticker ticker() {
        return hub.ticker();
    }

    /** The hub's timer thread: timeouts and periodic cleanups, never blocking work. */
    public ScheduledExecutorService timers() {
        return hub.timers();
    }

    public EventBus events() {
        return hub.events();
    }

    public Audit audit() {
        return hub.audit();
    }

    public TokenService tokens() {
        return hub.tokens();
    }

    /** The open connections. */
    public Collection<Connection> connections() {
        return hub.connections();
    }

    /** Authenticates {@code c} as {@link HubCore#authenticate} does ({@code hub/hello} needs it). */
    public void authenticate(Connection c, TokenService.Grant grant) {
        hub.authenticate(c, grant);
    }

    /** The {@code hub/status} document, with every feature's fields. */
    public ObjectNode status() {
        return hub.status();
    }

    /** A connection as {@code hub/connections} shows it, with every feature's fields. */
    public ObjectNode describe(Connection c) {
        return hub.report().describe(c);
    }

    /** Offers {@code service} to the features installed after this one, and to the embedder. */
    public <T> void provide(Class<T> type, T service) {
        checkOpen();
        if (hooks.services.putIfAbsent(type, service) != null) {
            throw new IllegalStateException(type.getSimpleName() + " is provided twice");
        }
    }

    /**
     * A service an earlier feature provided.
     *
     * @throws IllegalStateException naming the service when no feature installed so far provides it
     */
    public <T> T require(Class<T> type) {
        Object s = hooks.services.get(type);
        if (s == null) {
            throw new IllegalStateException("needs " + type.getSimpleName()
                    + ": install the feature that provides it first (provided so far: "
                    + hooks.services.keySet().stream()
                            .map(Class::getSimpleName)
                            .sorted()
                            .toList() + ")");
        }
        return type.cast(s);
    }

    /** Tells {@code listener} of each new connection, before it reads its first message. */
    public void onOpened(Consumer<Connection> listener) {
        checkOpen();
        hooks.opened.add(listener);
    }

    /** Tells {@code listener} of each connection that closes, in install order; the kernel fails its requests after. */
    public void onClosed(Consumer<Connection> listener) {
        checkOpen();
        hooks.closed.add(listener);
    }

    /**
     * Offers {@code notifications/cancelled} to {@code canceller}: it returns whether the id named one of its calls
     * (then the features after it are not asked).
     */
    public void onCancelled(BiPredicate<Connection, JsonNode> canceller) {
        checkOpen();
        hooks.cancellers.add(canceller);
    }

    /**
     * Offers a provider's {@code notifications/progress} to {@code progressor}: it returns whether the token named
     * one of its calls (then the features after it are not asked).
     */
    public void onProgress(BiPredicate<Connection, JsonNode> progressor) {
        checkOpen();
        hooks.progressors.add(progressor);
    }

    /**
     * Offers a provider's {@code notifications/message} (MCP logging) to {@code messenger}, which relays it to the
     * callers waiting on that provider; it returns whether there were any.
     */
    public void onMessage(BiPredicate<Connection, JsonNode> messenger) {
        checkOpen();
        hooks.messengers.add(messenger);
    }

    /** Adds fields to {@code hub/connections}' view of a connection. */
    public void describeConnections(BiConsumer<Connection, ObjectNode> describer) {
        checkOpen();
        hooks.describers.add(describer);
    }

    /** Adds to {@code hub/hello}: reads its params, writes its reply. */
    public void onHello(Hello hook) {
        checkOpen();
        hooks.hello.add(hook);
    }

    /** Runs the {@code hub/hello} hooks (the hub feature calls this). */
    public void greeted(Connection c, JsonNode params, ObjectNode reply) {
        for (Hello h : hooks.hello) {
            h.greeted(c, params, reply);
        }
    }

    /** Adds fields to {@code hub/status}. */
    public void status(Consumer<ObjectNode> contributor) {
        checkOpen();
        hooks.status.add(contributor);
    }

    /** Publishes this feature's meters when the embedder binds a registry. */
    public void meters(Consumer<MeterRegistry> binder) {
        checkOpen();
        hooks.meters.add(binder);
    }

    /** Puts {@code interceptor} in every call's chain, after the kernel's (authentication, limits). */
    public void intercept(Interceptor interceptor) {
        checkOpen();
        hooks.interceptors.add(interceptor);
    }

    /** Closed when the hub closes, in the reverse of install order. */
    public void onStop(AutoCloseable resource) {
        checkOpen();
        hooks.stops.add(resource);
    }

    void seal() {
        sealed = true;
    }

    private void checkOpen() {
        if (sealed) {
            throw new IllegalStateException("the hub is assembled: features install before it starts");
        }
    }
}
