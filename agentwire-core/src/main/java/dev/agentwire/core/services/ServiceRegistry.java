package dev.agentwire.core.services;

import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/** The services and their live instances. Thread safe. */
public final class ServiceRegistry {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}");

    private final Map<String, Service> services = new ConcurrentHashMap<>();

    /** One service: its instances, the round-robin position and the handling statistics. */
    public static final class Service {
        private final String name;
        private final List<Instance> instances = new CopyOnWriteArrayList<>();
        private final AtomicInteger next = new AtomicInteger();
        private final ServiceStats stats = new ServiceStats();

        Service(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }

        public List<Instance> instances() {
            return List.copyOf(instances);
        }

        public ServiceStats stats() {
            return stats;
        }

        /** The instance with the fewest pending requests; among equals, the next in round-robin order. */
        Optional<Instance> pick(Optional<String> group) {
            List<Instance> live = instances;
            int n = live.size();
            if (n == 0) {
                return Optional.empty();
            }
            int start = Math.floorMod(next.getAndIncrement(), n);
            Instance best = null;
            for (int i = 0; i < n; i++) {
                Instance candidate;
                try {
                    candidate = live.get((start + i) % n);
                } catch (IndexOutOfBoundsException e) {
                    break; // an instance left meanwhile
                }
                if (group.isPresent() && !group.get().equals(candidate.group())) {
                    continue;
                }
                if (best == null || candidate.pending() < best.pending()) {
                    best = candidate;
                }
            }
            return Optional.ofNullable(best);
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
        Service s = services.computeIfAbsent(checkName(name), Service::new);
        Instance instance = new Instance(connection, name, group, version);
        synchronized (s) {
            s.instances.removeIf(i -> i.connection() == connection);
            s.instances.add(instance);
        }
        return instance;
    }

    /** Removes {@code connection} from {@code name}; whether it was an instance. */
    public boolean unregister(Connection connection, String name) {
        Service s = services.get(name);
        if (s == null) {
            return false;
        }
        synchronized (s) {
            return s.instances.removeIf(i -> i.connection() == connection);
        }
    }

    /** Removes {@code connection} from every service (it closed); the names it served. */
    public List<String> remove(Connection connection) {
        List<String> left = new ArrayList<>();
        for (Service s : services.values()) {
            synchronized (s) {
                if (s.instances.removeIf(i -> i.connection() == connection)) {
                    left.add(s.name);
                }
            }
        }
        return left;
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
        return services.values().stream().mapToInt(s -> s.instances.size()).sum();
    }
}
