package dev.agentwire.core.tools;

import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.core.auth.Scopes;
import dev.agentwire.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One session's tools, by name, each with the connection that provides it. At most {@code maxTools}.
 * Thread safe (synchronized; changes are rare, lookups are short).
 */
public final class ToolTable {

    /** A tool and who provides it. */
    public record Entry(ToolDef tool, Connection provider) {}

    private final int maxTools;
    private final TreeMap<String, Entry> tools = new TreeMap<>();

    public ToolTable(int maxTools) {
        this.maxTools = maxTools;
    }

    /**
     * Adds {@code defs} for {@code provider}, all or none. A name another live provider holds is refused unless
     * {@code replace}; the provider's own names are updated.
     *
     * @return the entries that were displaced from other providers
     */
    public synchronized List<Entry> register(Connection provider, List<ToolDef> defs, boolean replace) {
        // Nothing changes unless every tool may be registered: the checks all run before the first put.
        int added = 0;
        for (ToolDef d : defs) {
            Entry existing = tools.get(d.name());
            if (existing == null) {
                added++;
            } else if (existing.provider() != provider && !mayReplace(provider, existing.provider())) {
                var data = HubException.reasonData("not_your_tool");
                data.put("tool", d.name());
                throw HubException.withData(
                        ErrorCode.FORBIDDEN,
                        "tool " + d.name() + " was registered by another identity; only that identity or the hub's"
                                + " owner may replace it",
                        data);
            } else if (existing.provider() != provider && !replace) {
                var data = HubException.reasonData("tool_exists");
                data.put("tool", d.name());
                data.put("provider", existing.provider().toString());
                throw HubException.withData(
                        ErrorCode.INVALID_PARAMS,
                        "tool " + d.name() + " is already provided by " + existing.provider()
                                + " in this session; register with \"replace\": true to take it over",
                        data);
            }
        }
        if (tools.size() + added > maxTools) {
            var data = HubException.reasonData("too_many_tools");
            data.put("limit", maxTools);
            data.put("registered", tools.size());
            data.put("requested", added);
            throw HubException.withData(
                    ErrorCode.INVALID_PARAMS,
                    "a session holds at most " + maxTools + " tools (tools.maxPerSession); it has " + tools.size()
                            + " and this would add " + added,
                    data);
        }
        List<Entry> displaced = new ArrayList<>();
        for (ToolDef d : defs) {
            Entry old = tools.put(d.name(), new Entry(d, provider));
            if (old != null && old.provider() != provider) {
                displaced.add(old);
            }
        }
        return displaced;
    }

    /** Removes the named tools that {@code provider} provides; returns how many. */
    /** A tool may be taken over by the identity that registered it, or by the owner ({@code admin}). */
    private static boolean mayReplace(Connection newcomer, Connection holder) {
        return newcomer.subject().equals(holder.subject()) || Scopes.allows(newcomer.scopes(), "admin");
    }

    public synchronized int unregister(Connection provider, List<String> names) {
        int n = 0;
        for (String name : names) {
            Entry e = tools.get(name);
            if (e != null && e.provider() == provider) {
                tools.remove(name);
                n++;
            }
        }
        return n;
    }

    /** Removes everything {@code provider} provides; returns how many. */
    public synchronized int removeProvider(Connection provider) {
        int before = tools.size();
        tools.values().removeIf(e -> e.provider() == provider);
        return before - tools.size();
    }

    public synchronized Optional<Entry> find(String name) {
        return Optional.ofNullable(tools.get(name));
    }

    /** Up to {@code limit} entries with names after {@code after} (exclusive; "" for the start), by name. */
    public synchronized List<Entry> page(String after, int limit) {
        Map<String, Entry> tail = after.isEmpty() ? tools : tools.tailMap(after, false);
        List<Entry> out = new ArrayList<>(Math.min(limit, tail.size()));
        for (Entry e : tail.values()) {
            if (out.size() == limit) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    public synchronized boolean hasAfter(String name) {
        return tools.higherKey(name) != null;
    }

    public synchronized int size() {
        return tools.size();
    }

    public synchronized void clear() {
        tools.clear();
    }
}
