package dev.agentwire.core.git;

import dev.agentwire.core.Feature;
import dev.agentwire.core.HubContext;

/** Git follow mode ({@code git/*}): the hub watches a repository and publishes {@code git} events. */
public final class GitFeature implements Feature {

    @Override
    public void install(HubContext hub) {
        GitFollower git = new GitFollower(hub.events());
        GitMethods.register(hub.registry(), git);
        hub.onStop(git::close);
        hub.provide(GitFollower.class, git);
    }
}
