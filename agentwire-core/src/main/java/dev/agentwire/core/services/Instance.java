package dev.agentwire.core.services;

import dev.agentwire.core.Connection;
import dev.agentwire.core.relay.LocalProvider;
import dev.agentwire.core.relay.ProviderLink;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One connection serving one service, with its load as this hub sees it, and the link that reaches it: a
 * connection of this hub, or of another hub of a cluster ({@link #remote}). Thread safe.
 */
public final class Instance {

    /** Who serves, as {@code services/list} shows it: the connection's number, name, identity and transport. */
    public record Server(long connectionId, String name, String identity, String transport) {}

    private final ProviderLink link;
    private final Server server;
    private final String service;
    private final String group;
    private final String version;
    private final com.fasterxml.jackson.databind.node.ObjectNode about;
    private final AtomicInteger pending = new AtomicInteger();
    private final LongAdder handled = new LongAdder();

    Instance(
            Connection connection,
            String service,
            String group,
            String version,
            com.fasterxml.jackson.databind.node.ObjectNode about) {
        this(
                new LocalProvider(connection),
                new Server(
                        connection.id(),
                        connection.name(),
                        connection.identity(),
                        connection.peer().transport().label()),
                service,
                group,
                version,
                about);
    }

    private Instance(
            ProviderLink link,
            Server server,
            String service,
            String group,
            String version,
            com.fasterxml.jackson.databind.node.ObjectNode about) {
        this.link = link;
        this.server = server;
        this.service = service;
        this.group = group == null ? "" : group;
        this.version = version == null ? "" : version;
        this.about = about == null ? dev.agentwire.protocol.Json.mapper().createObjectNode() : about;
    }

    /** An instance on another hub, reached through {@code link}. */
    public static Instance remote(ProviderLink link, Server server, String service, String group, String version) {
        return new Instance(link, server, service, group, version, null);
    }

    /** Who serves. */
    public Server server() {
        return server;
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

    /** What the instance said of itself when it registered: {@code description} and {@code actions}, when given. */
    public com.fasterxml.jackson.databind.node.ObjectNode about() {
        return about.deepCopy();
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
