package dev.agentwire.core;

/**
 * One thing the hub can do (tools, rooms, sessions, ...), packaged: it registers its methods, listeners and
 * services through the {@link HubContext} it is given, and touches nothing else of the hub. The hub is assembled
 * from a list of features ({@link HubCore#builder}); a new feature is one package plus one line there.
 */
@FunctionalInterface
public interface Feature {

    /** Registers what this feature offers. Called once, in assembly order, before the hub takes connections. */
    void install(HubContext hub);
}
