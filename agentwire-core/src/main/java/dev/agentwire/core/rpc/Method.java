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
public record Method(String name, MethodHandler handler, boolean inline, Access access, InlineTest inlineWhen) {

    /** Whether one call of a method that is not always {@link #inline} may run on the I/O thread all the same. */
    @FunctionalInterface
    public interface InlineTest {

        /** Called on the I/O thread before the call runs: must take constant time and never throw. */
        boolean test(Call call);
    }

    public Method(String name, MethodHandler handler, boolean inline, Access access) {
        this(name, handler, inline, access, call -> inline);
    }

    public Method {
        if (inlineWhen == null) {
            throw new IllegalArgumentException("inlineWhen must not be null for " + name);
        }
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

    /**
     * A method that runs on the I/O thread for the calls {@code when} accepts (cheap in time, such as a small tool
     * call with a quick schema), on a worker otherwise.
     */
    public static Method inlineWhen(String name, Access access, InlineTest when, MethodHandler handler) {
        return new Method(name, handler, false, access, when);
    }

    /** Whether this call may run on the I/O thread that decoded it. */
    public boolean inline(Call call) {
        return inline || inlineWhen.test(call);
    }

    /** Whether an unauthenticated connection may call it ({@code hub/hello}). */
    public boolean open() {
        return access.kind() == Access.Kind.OPEN;
    }
}
