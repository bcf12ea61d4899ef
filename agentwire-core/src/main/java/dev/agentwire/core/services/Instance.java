package dev.agentwire.core.services;

import dev.agentwire.core.Connection;
import dev.agentwire.core.relay.LocalProvider;
import dev.agentwire.core.relay.ProviderLink;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One connection serving one service, with its load as this hub sees it, and the link that reaches it. Thread
 * safe.
 */
public final class Instance {

    private final Connection connection;
    private final ProviderLink link;
    private final String service;
    private final String group;
    private final String version;
    private final AtomicInteger pending = new AtomicInteger();
    private final LongAdder handled = new LongAdder();

    Instance(Connection connection, String service, String group, String version) {
        this.connection = connection;
        this.link = new LocalProvider(connection);
        this.service = service;
        this.group = group == null ? "" : group;
        this.version = version == null ? "" : version;
    }

    public Connection connection() {
        return connection;
    }

    /** How requests reach this instance: its connection on this hub. */
    public ProviderLink link() {
        return link;
    }

    public String service() {
        return service;
    }

    public String group() {
        return group;
    }

    public String version() {
        return version;
    }

    /** Requests sent to this instance and not answered yet. */
    public int pending() {
        return pending.get();
    }

    /** Requests this instance answered. */
    public long handled() {
        return handled.sum();
    }

    void started() {
        pending.incrementAndGet();
    }

    void finished(boolean answered) {
        pending.decrementAndGet();
        if (answered) {
            handled.increment();
        }
    }
}
