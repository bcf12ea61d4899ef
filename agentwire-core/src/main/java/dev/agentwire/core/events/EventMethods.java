package dev.agentwire.core.events;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.HubException;
import dev.agentwire.core.rpc.Access;
import dev.agentwire.core.rpc.Call;
import dev.agentwire.core.rpc.MethodRegistry;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Json;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code events/subscribe {categories, cluster?}} and {@code events/unsubscribe {categories, cluster?}}; with
 * {@code cluster: true}, the categories' events of every hub of a cluster.
 */
public final class EventMethods {

    /** The categories DESIGN.md names. */
    public static final Set<String> CATEGORIES = Set.of(
            "auth",
            "system",
            "session",
            "session-monitor",
            "input",
            "git",
            "heartbeat",
            "tools",
            "rooms",
            "services",
            "cluster",
            "calls");

    private EventMethods() {}

    public static void register(MethodRegistry registry) {
        registry.register(
                "events/subscribe",
                Access.scopes(
                        "events:<category>",
                        // The call log's events carry what every identity called with: the owner's, as calls/list.
                        call -> categories(call).stream()
                                .map(c -> c.equals("calls") ? "admin" : "events:" + c)
                                .toList()),
                call -> change(call, true));
        // Dropping a subscription needs nothing: it only ever narrows what the caller receives.
        registry.register("events/unsubscribe", Access.authenticated(), call -> change(call, false));
    }

    record Categories(
            @JsonProperty("categories") List<String> categories,
            @JsonProperty("cluster") Boolean cluster) {}

    /** The categories a call names, each a known one; {@code -32602} otherwise. */
    private static List<String> categories(Call call) {
        Categories c = call.params(Categories.class);
        if (c.categories() == null || c.categories().isEmpty()) {
            throw HubException.of(ErrorCode.INVALID_PARAMS, "invalid_params", call.method() + " needs \"categories\"");
        }
        for (String cat : c.categories()) {
            if (!CATEGORIES.contains(cat)) {
                throw HubException.of(
                        ErrorCode.INVALID_PARAMS,
                        "unknown_category",
                        "unknown event category " + cat + "; known: " + new java.util.TreeSet<>(CATEGORIES));
            }
        }
        return c.categories();
    }

    private static CompletionStage<JsonNode> change(Call call, boolean subscribe) {
        List<String> categories = categories(call);
        if (call.params().path("cluster").asBoolean(false)) {
            // The same categories, from every hub of a cluster (a hub alone has only its own).
            categories = categories.stream().map(EventBus::clusterWide).toList();
        }
        if (subscribe) {
            call.connection().subscribe(categories);
        } else {
            call.connection().unsubscribe(categories);
        }
        var out = Json.mapper().createObjectNode();
        var now = out.putArray("subscribed");
        call.connection().subscriptions().stream().sorted().forEach(now::add);
        return CompletableFuture.completedFuture(out);
    }
}
