package dev.agentwire.core.rpc;

/**
 * A registered method.
 *
 * @param name the JSON-RPC method name, e.g. {@code hub/ping}
 * @param handler what runs it
 * @param inline whether it may run on the I/O thread that decoded it: only for handlers that never block and
 *     take constant time (ping); everything else runs on a worker
 * @param access what the caller needs: declared here, checked for every call by one interceptor
 */
public record Method(String name, MethodHandler handler, boolean inline, Access access) {

    public Method {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("method name must be a non-empty string");
        }
        if (handler == null) {
            throw new IllegalArgumentException("handler must not be null for " + name);
        }
        if (access == null) {
            throw new IllegalArgumentException("method " + name + " must declare its access");
        }
    }

    /** A method that runs on a worker. */
    public static Method of(String name, Access access, MethodHandler handler) {
        return new Method(name, handler, false, access);
    }

    /** A method that runs on the I/O thread that decoded it (constant time, never blocks). */
    public static Method inline(String name, Access access, MethodHandler handler) {
        return new Method(name, handler, true, access);
    }

    /** Whether an unauthenticated connection may call it ({@code hub/hello}). */
    public boolean open() {
        return access.kind() == Access.Kind.OPEN;
    }
}
