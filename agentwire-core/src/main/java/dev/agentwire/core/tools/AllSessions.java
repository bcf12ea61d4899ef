package dev.agentwire.core.tools;

import dev.agentwire.core.Connection;
import dev.agentwire.core.relay.LocalProvider;
import dev.agentwire.core.sessions.Session;
import dev.agentwire.core.sessions.SessionManager;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tools of every session a connection may enter, as one list whose names cannot collide: a tool offered by one
 * provider keeps its name; a name that more than one provider offers (in different sessions: within one, names are
 * unique) becomes {@code <provider>__<tool>}, the provider being its connection's name (or identity), and, if two
 * providers share that too, {@code <provider>_<session>__<tool>}. The same connection and tables give the same
 * names, so a call finds the tool that the list showed. What MCP over HTTP serves without {@code ?session=}.
 */
final class AllSessions {

    /** One tool under the name this view gives it. */
    record Named(String name, Session session, ToolTable.Entry entry) {}

    private AllSessions() {}

    static List<Named> of(Connection c, SessionManager sessions, ToolTables tables, int maxTools) {
        List<Named> plain = new ArrayList<>();
        List<Session> visible = new ArrayList<>(sessions.all());
        visible.sort(Comparator.comparing(Session::id));
        for (Session s : visible) {
            if (!SessionManager.mayEnter(c, s)) {
                continue;
            }
            for (ToolTable.Entry e : tables.of(s).page("", maxTools)) {
                plain.add(new Named(e.tool().name(), s, e));
                if (plain.size() >= maxTools) {
                    break;
                }
            }
        }
        Map<String, Integer> offered = new HashMap<>();
        plain.forEach(n -> offered.merge(n.name(), 1, Integer::sum));
        Map<String, Integer> labels = new HashMap<>();
        for (Named n : plain) {
            if (offered.get(n.name()) > 1) {
                labels.merge(n.name() + "/" + provider(n.entry()), 1, Integer::sum);
            }
        }
        List<Named> out = new ArrayList<>(plain.size());
        for (Named n : plain) {
            if (offered.get(n.name()) == 1) {
                out.add(n);
                continue;
            }
            String p = provider(n.entry());
            String label = labels.get(n.name() + "/" + p) > 1
                    ? p + "_" + clean(n.session().name())
                    : p;
            out.add(new Named(label + "__" + n.name(), n.session(), n.entry()));
        }
        // A tool may itself be called "alice__search": every name this view gives must name one tool only.
        Map<String, Integer> seen = new HashMap<>();
        List<Named> unique = new ArrayList<>(out.size());
        for (Named n : out) {
            int k = seen.merge(n.name(), 1, Integer::sum);
            unique.add(k == 1 ? n : new Named(n.name() + "_" + k, n.session(), n.entry()));
        }
        return unique;
    }

    static Optional<Named> find(Connection c, SessionManager sessions, ToolTables tables, int maxTools, String name) {
        return of(c, sessions, tables, maxTools).stream()
                .filter(n -> n.name().equals(name))
                .findFirst();
    }

    private static String provider(ToolTable.Entry e) {
        String name =
                e.provider() instanceof LocalProvider local ? local.connection().name() : null;
        return clean(name == null || name.isBlank() ? e.subject() : name);
    }

    /** Letters, digits, {@code _} and {@code -} only, at most 32 characters; MCP tool names allow no more. */
    private static String clean(String s) {
        String c = s == null ? "" : s.replaceAll("[^A-Za-z0-9_-]", "_");
        c = c.length() > 32 ? c.substring(0, 32) : c;
        return c.isEmpty() ? "provider" : c;
    }
}
