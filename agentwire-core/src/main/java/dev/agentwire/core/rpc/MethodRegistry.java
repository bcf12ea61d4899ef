package dev.agentwire.core.rpc;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every method the hub answers, by name, each with the access it declared ({@link Access}). Features register
 * their methods at start; a duplicate name is a programming error and throws. Thread safe.
 */
public final class MethodRegistry {

    private final Map<String, Method> methods = new ConcurrentHashMap<>();

    /** Registers a method. */
    public void register(Method method) {
        Method previous = methods.putIfAbsent(method.name(), method);
        if (previous != null) {
            throw new IllegalStateException("method " + method.name() + " is already registered");
        }
    }

    /** Registers a worker method with what its callers need. */
    public void register(String name, Access access, MethodHandler handler) {
        register(Method.of(name, access, handler));
    }

    public Optional<Method> find(String name) {
        return Optional.ofNullable(methods.get(name));
    }

    public boolean contains(String name) {
        return methods.containsKey(name);
    }

    public Collection<Method> all() {
        return Collections.unmodifiableCollection(methods.values());
    }
}
