package dev.agentwire.core.services;

import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.core.relay.Directory;
import dev.agentwire.core.relay.LocalDirectory;
import dev.agentwire.protocol.ErrorCode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The services and their live instances. The instances are entries of a {@link Directory} under the service's name,
 * owned by their connections (a {@link LocalDirectory} unless given: a hub alone); the services' round robin and
 * statistics are this hub's own. Thread safe.
 */
public final class ServiceRegistry {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}");

    private final Directory<Instance> directory;
    private final LoadShare loads;
    private final Map<String, Service> services = new ConcurrentHashMap<>();

    public ServiceRegistry() {
        this(new LocalDirectory<>(), LoadShare.local());
    }

    /** A registry whose instances are kept in {@code directory}, their loads counted on this hub. */
    public ServiceRegistry(Directory<Instance> directory) {
        this(directory, LoadShare.local());
    }

    /** A registry whose instances are kept in {@code directory}, their loads counted in {@code loads}. */
    public ServiceRegistry(Directory<Instance> directory, LoadShare loads) {
        this.directory = directory;
        this.loads = loads;
        // Services other hubs' instances serve are services here too.
        directory.names().forEach(n -> services.computeIfAbsent(n, k -> new Service(k, directory, loads)));
        directory.listen((change, e) -> services.computeIfAbsent(e.name(), k -> new Service(k, directory, loads)));
    }

    /** One service: its instances (from the directory), the round-robin position and the handling statistics. */
    public static final class Service {
        private final String name;
        private final Directory<Instance> directory;
        private final LoadShare loads;
        private final AtomicInteger next = new AtomicInteger();
        /** A round-robin position per group, so that a group's members take turns among themselves. */
        private final java.util.Map<String, AtomicInteger> nextInGroup = new java.util.concurrent.ConcurrentHashMap<>();

        private final ServiceStats stats = new ServiceStats();

        Service(String name, Directory<Instance> directory, LoadShare loads) {
            this.name = name;
            this.directory = directory;
            this.loads = loads;
        }

        public String name() {
            return name;
        }

        public List<Instance> instances() {
            return directory.lookup(name).stream().map(Directory.Entry::value).toList();
        }

        public ServiceStats stats() {
            return stats;
        }

        /**
         * The instance with the fewest pending requests (as the {@link LoadShare} counts them: on this hub, or on
         * every hub of a cluster); among equals, the next in round-robin order (within the group, when one is asked
         * for: the rotation counts only its members). Empty when no instance is live.
         */
        Optional<CompletableFuture<Directory.Entry<Instance>>> pick(Optional<String> group) {
            List<Directory.Entry<Instance>> live = directory.lookup(name);
            if (group.isPresent()) {
                live = live.stream()
                        .filter(e -> group.get().equals(e.value().group()))
                        .toList();
            }
            if (live.isEmpty()) {
                return Optional.empty();
            }
            // Only groups some instance has get a position: the names a caller asks for cannot grow the map.
            AtomicInteger turn =
                    group.isPresent() ? nextInGroup.computeIfAbsent(group.get(), g -> new AtomicInteger()) : next;
            return Optional.of(loads.pick(name, live, turn.getAndIncrement()));
        }

        /** The request {@link #pick} counted on {@code picked} ended. */
        void finished(Directory.Entry<Instance> picked) {
            loads.finished(name, picked);
        }
    }

    /** Checks a service name: 1-64 letters, digits, {@code _ . -} (it may become a socket file name). */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS,
                    "invalid_service",
                    "a service name is 1-64 letters, digits, _ . or -, starting with a letter or digit, got "
                            + (name == null ? "nothing" : name));
        }
        return name;
    }

    /** Makes {@code connection} an instance of {@code name} (again, if it was one: the labels are replaced). */
    public Instance register(Connection connection, String name, String group, String version) {
        return register(connection, name, group, version, null);
    }

    /** The same, with what the instance says of itself ({@code description}, {@code actions}) for agent cards. */
    public Instance register(
            Connection connection,
            String name,
            String group,
            String version,
            com.fasterxml.jackson.databind.node.ObjectNode about) {
        services.computeIfAbsent(checkName(name), n -> new Service(n, directory, loads));
        Instance instance = new Instance(connection, name, group, version, about);
        directory.register(new Directory.Entry<>(name, directory.owner(connection.id()), instance));
        return instance;
    }

    /**
     * Adds an instance that is not a connection of this hub (a Redis agent), owned by {@code owner}; registering the
     * same name and owner again replaces it.
     */
    public Instance register(String name, Directory.Owner owner, Instance instance) {
        services.computeIfAbsent(checkName(name), n -> new Service(n, directory, loads));
        directory.register(new Directory.Entry<>(name, owner, instance));
        return instance;
    }

    /** Removes {@code connection} from {@code name}; whether it was an instance. */
    public boolean unregister(Connection connection, String name) {
        return directory.unregister(name, directory.owner(connection.id())).isPresent();
    }

    /** Removes {@code connection} from every service (it closed); the names it served. */
    public List<String> remove(Connection connection) {
        return directory.unregisterAll(directory.owner(connection.id())).stream()
                .map(Directory.Entry::name)
                .toList();
    }

    public Optional<Service> find(String name) {
        return Optional.ofNullable(services.get(name));
    }

    /** Every service that has or had an instance, by name. */
    public List<Service> all() {
        return List.copyOf(new TreeMap<>(services).values());
    }

    /** Live instances across all services. */
    public int instanceCount() {
        return services.keySet().stream()
                .mapToInt(name -> directory.lookup(name).size())
                .sum();
    }
}
