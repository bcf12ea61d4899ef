package dev.agentwire.core.auth;

import dev.agentwire.core.Feature;
import dev.agentwire.core.HubContext;

/** {@code tokens/*}: the owner mints scoped tokens and revokes them. */
public final class TokensFeature implements Feature {

    @Override
    public void install(HubContext hub) {
        TokenMethods.register(hub.registry(), hub.tokens(), hub.audit());
    }
}
