package dev.agentwire.core.catalog;

/** What a catalog holds: each kind with the member that names an entry and the list that carries the kind. */
public enum Kind {
    PROMPT("prompts", "name", "notifications/prompts/list_changed"),
    RESOURCE("resources", "uri", "notifications/resources/list_changed"),
    TEMPLATE("resourceTemplates", "uriTemplate", "notifications/resources/list_changed");

    private final String listName;
    private final String keyName;
    private final String changed;

    Kind(String listName, String keyName, String changed) {
        this.listName = listName;
        this.keyName = keyName;
        this.changed = changed;
    }

    /** The array of the register params and of the list result: {@code prompts}, {@code resources}. */
    public String listName() {
        return listName;
    }

    /** The member that names an entry: {@code name}, {@code uri}, {@code uriTemplate}. */
    public String keyName() {
        return keyName;
    }

    /** The notification that tells a client the list changed. */
    public String changed() {
        return changed;
    }
}
