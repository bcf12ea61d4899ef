package dev.agentwire.core.auth;

import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.protocol.ErrorCode;
import java.util.Set;

/**
 * Scope checks. A granted scope matches a needed one exactly, or as a prefix when it ends in {@code *}
 * ({@code rooms:read:*} grants {@code rooms:read:lobby}); {@code *} grants everything.
 */
public final class Scopes {

    /** Every scope. */
    public static final Set<String> ALL = Set.of("*");

    private Scopes() {}

    public static boolean allows(Set<String> granted, String needed) {
        for (String g : granted) {
            if (g.equals(needed) || (g.endsWith("*") && needed.startsWith(g.substring(0, g.length() - 1)))) {
                return true;
            }
        }
        return false;
    }

    /** Throws {@code -32005} with {@code data.scope} unless the connection holds {@code scope}. */
    public static void require(Connection c, String scope) {
        if (!allows(c.scopes(), scope)) {
            var data = HubException.reasonData("missing_scope");
            data.put("scope", scope);
            throw HubException.withData(ErrorCode.FORBIDDEN, "this token lacks the scope " + scope, data);
        }
    }
}
