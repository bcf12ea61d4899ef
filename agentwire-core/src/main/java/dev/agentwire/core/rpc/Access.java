package dev.agentwire.core.rpc;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a method asks of its caller, declared when the method is registered and checked for every call by one
 * interceptor ({@link dev.agentwire.core.interceptors.AuthInterceptor}), so that no handler has to remember.
 *
 * <ul>
 *   <li>{@link #open()}: anyone, also before authentication ({@code hub/hello} only);
 *   <li>{@link #authenticated()}: any authenticated identity; the feature limits what each one sees (sessions
 *       show a token its own);
 *   <li>{@link #scope(String)}: one fixed scope, e.g. {@code terminals};
 *   <li>{@link #scopes(String, Function)}: scopes that depend on the params, e.g. {@code rooms:read:<room>}.
 * </ul>
 *
 * Immutable and thread safe.
 */
public final class Access {

    private static final Access OPEN = new Access(Kind.OPEN, "open", c -> List.of());
    private static final Access AUTHENTICATED = new Access(Kind.AUTHENTICATED, "authenticated", c -> List.of());

    /** How a method is guarded. */
    public enum Kind {
        OPEN,
        AUTHENTICATED,
        SCOPED
    }

    private final Kind kind;
    private final String description;
    private final Function<Call, List<String>> required;

    private Access(Kind kind, String description, Function<Call, List<String>> required) {
        this.kind = kind;
        this.description = description;
        this.required = required;
    }

    /** Callable before authentication. */
    public static Access open() {
        return OPEN;
    }

    /** Callable by any authenticated identity. */
    public static Access authenticated() {
        return AUTHENTICATED;
    }

    /** Needs {@code scope}. */
    public static Access scope(String scope) {
        Objects.requireNonNull(scope, "scope");
        List<String> one = List.of(scope);
        return new Access(Kind.SCOPED, scope, c -> one);
    }

    /**
     * Needs every scope {@code required} derives from the call; {@code pattern} says which for people, e.g.
     * {@code rooms:read:<room>}. {@code required} may throw a {@link dev.agentwire.core.HubException} for params
     * it cannot read (a missing room), which answers the call.
     */
    public static Access scopes(String pattern, Function<Call, List<String>> required) {
        return new Access(Kind.SCOPED, Objects.requireNonNull(pattern, "pattern"), required);
    }

    public Kind kind() {
        return kind;
    }

    /** The scopes this call needs (none for open and authenticated methods). */
    public List<String> required(Call call) {
        return required.apply(call);
    }

    /** {@code open}, {@code authenticated}, or the scope (pattern) needed, for docs and errors. */
    @Override
    public String toString() {
        return description;
    }
}
