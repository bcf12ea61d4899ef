package dev.agentwire.core.tools;

import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.core.auth.Scopes;
import dev.agentwire.core.relay.Directory;
import dev.agentwire.core.relay.Directory.Changes;
import dev.agentwire.core.relay.Directory.Owner;
import dev.agentwire.core.relay.LocalProvider;
import dev.agentwire.core.relay.ProviderLink;
import dev.agentwire.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One session's tools, by name, each with the connection that provides it: the rules over the session's part of
 * the tools {@link Directory}, where a tool is the entry {@code <session>/<tool>} owned by its provider's
 * connection. A name has one provider; a session holds at most {@code maxTools}. Every change is one
 * {@link Directory#update} over the session's prefix, so the rules hold however many connections (or hubs) change
 * the session's tools at once. Thread safe.
 */
public final class ToolTable {

    /**
     * A tool and who provides it: the identity that registered it (it alone, or the owner, may take the name over)
     * and the way to its connection. What the directory keeps for the tool.
     */
    public record Entry(ToolDef tool, String subject, ProviderLink provider) {}

    private final Directory<Entry> directory;
    private final String prefix;
    private final int maxTools;

    /** The tools of session {@code session} in {@code directory}. */
    public ToolTable(Directory<Entry> directory, String session, int maxTools) {
        this.directory = directory;
        this.prefix = session + "/";
        this.maxTools = maxTools;
    }

    /**
     * Adds {@code defs} for {@code provider}, all or none. A name another provider holds is refused unless
     * {@code replace} and {@code provider} is the identity that registered it or the owner; the provider's own
     * names are updated.
     *
     * @return the entries that were displaced from other providers
     */
    public List<Entry> register(Connection provider, List<ToolDef> defs, boolean replace) {
        Owner owner = directory.owner(provider.id());
        ProviderLink link = new LocalProvider(provider);
        Changes<Entry> made = directory.update(prefix, current -> {
            // Nothing changes unless every tool may be registered: the plan throws before it returns a change.
            Map<String, Directory.Entry<Entry>> byName = new HashMap<>();
            current.forEach(e -> byName.put(e.name(), e));
            List<Directory.Entry<Entry>> add = new ArrayList<>(defs.size());
            List<Directory.Entry<Entry>> displace = new ArrayList<>();
            int added = 0;
            for (ToolDef d : defs) {
                Directory.Entry<Entry> existing = byName.get(prefix + d.name());
                if (existing == null) {
                    added++;
                } else if (!existing.owner().equals(owner)) {
                    checkMayTake(provider, d, existing.value(), replace);
                    displace.add(existing);
                }
                add.add(new Directory.Entry<>(prefix + d.name(), owner, new Entry(d, provider.subject(), link)));
            }
            if (byName.size() + added > maxTools) {
                var data = HubException.reasonData("too_many_tools");
                data.put("limit", maxTools);
                data.put("registered", byName.size());
                data.put("requested", added);
                throw HubException.withData(
                        ErrorCode.INVALID_PARAMS,
                        "a session holds at most " + maxTools + " tools (tools.maxPerSession); it has " + byName.size()
                                + " and this would add " + added,
                        data);
            }
            return new Changes<>(add, displace);
        });
        return made.unregister().stream().map(Directory.Entry::value).toList();
    }

    private static void checkMayTake(Connection newcomer, ToolDef d, Entry holder, boolean replace) {
        // A tool may be taken over by the identity that registered it, or by the owner (admin).
        if (!newcomer.subject().equals(holder.subject()) && !Scopes.allows(newcomer.scopes(), "admin")) {
            var data = HubException.reasonData("not_your_tool");
            data.put("tool", d.name());
            throw HubException.withData(
                    ErrorCode.FORBIDDEN,
                    "tool " + d.name() + " was registered by another identity; only that identity or the hub's"
                            + " owner may replace it",
                    data);
        }
        if (!replace) {
            var data = HubException.reasonData("tool_exists");
            data.put("tool", d.name());
            data.put("provider", holder.provider().toString());
            throw HubException.withData(
                    ErrorCode.INVALID_PARAMS,
                    "tool " + d.name() + " is already provided by " + holder.provider()
                            + " in this session; register with \"replace\": true to take it over",
                    data);
        }
    }

    /** Removes the named tools that {@code provider} provides; returns how many. */
    public int unregister(Connection provider, List<String> names) {
        Owner owner = directory.owner(provider.id());
        java.util.Set<String> keys = new java.util.HashSet<>();
        names.forEach(n -> keys.add(prefix + n));
        return remove(e -> e.owner().equals(owner) && keys.contains(e.name()));
    }

    /** Removes everything {@code provider} provides here (it left the session); returns how many. */
    public int removeProvider(Connection provider) {
        Owner owner = directory.owner(provider.id());
        return remove(e -> e.owner().equals(owner));
    }

    /** Removes every tool (the session ended). */
    public void clear() {
        remove(e -> true);
    }

    private int remove(Predicate<Directory.Entry<Entry>> which) {
        return directory
                .update(
                        prefix,
                        current -> new Changes<>(
                                List.of(), current.stream().filter(which).toList()))
                .unregister()
                .size();
    }

    public Optional<Entry> find(String name) {
        List<Directory.Entry<Entry>> entries = directory.lookup(prefix + name);
        return entries.isEmpty() ? Optional.empty() : Optional.of(entries.get(0).value());
    }

    /** A tool as {@code tools/list} shows it: the entry and the hub whose connection provides it. */
    public record Listed(Entry entry, String hub) {}

    /** Like {@link #page}, with each tool's hub. */
    public List<Listed> listing(String after, int limit) {
        return directory.scan(prefix, after, limit).stream()
                .map(e -> new Listed(e.value(), e.owner().hub()))
                .toList();
    }

    /** Up to {@code limit} entries with names after {@code after} (exclusive; "" for the start), by name. */
    public List<Entry> page(String after, int limit) {
        return directory.scan(prefix, after, limit).stream()
                .map(Directory.Entry::value)
                .toList();
    }

    public boolean hasAfter(String name) {
        return !directory.scan(prefix, name, 1).isEmpty();
    }

    public int size() {
        return directory.scan(prefix, "", Integer.MAX_VALUE).size();
    }
}
