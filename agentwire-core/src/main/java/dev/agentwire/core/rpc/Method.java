package dev.agentwire.core.rpc;

/**
 * A registered method.
 *
 * @param name the JSON-RPC method name, e.g. {@code hub/ping}
 * @param handler what runs it
 * @param inline whether it may run on the I/O thread that decoded it: only for handlers that never block and
 *     take constant time (ping); everything else runs on a worker
 * @param open whether an unauthenticated connection may call it ({@code hub/hello})
 */
public record Method(String name, MethodHandler handler, boolean inline, boolean open) {

    public Method {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("method name must be a non-empty string");
        }
        if (handler == null) {
            throw new IllegalArgumentException("handler must not be null for " + name);
        }
    }

    /** A method that runs on a worker and needs an authenticated connection. */
    public static Method of(String name, MethodHandler handler) {
        return new Method(name, handler, false, false);
    }
}
