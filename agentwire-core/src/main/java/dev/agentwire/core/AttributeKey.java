package dev.agentwire.core;

/**
 * The key of a value a feature keeps on a connection or a session (its session, its tool table, ...), named for
 * messages. Keys compare by identity: only the feature that made one can read or write its value.
 */
public final class AttributeKey<T> {

    private final String name;

    public AttributeKey(String name) {
        this.name = name;
    }

    @Override
    public String toString() {
        return name;
    }
}
