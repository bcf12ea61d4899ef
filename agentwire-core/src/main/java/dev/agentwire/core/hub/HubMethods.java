package dev.agentwire.core.hub;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubContext;
import dev.agentwire.core.HubException;
import dev.agentwire.core.Peer;
import dev.agentwire.core.rpc.Access;
import dev.agentwire.core.rpc.Call;
import dev.agentwire.core.rpc.Method;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Json;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** {@code hub/hello}, {@code hub/ping} and {@code hub/status}. */
public final class HubMethods {

    /** Version of the hub protocol that {@code hub/hello} reports. */
    public static final int PROTOCOL = 1;

    private final HubContext hub;

    private HubMethods(HubContext hub) {
        this.hub = hub;
    }

    /** Registers the methods on {@code hub}. */
    public static void register(HubContext hub) {
        HubMethods m = new HubMethods(hub);
        hub.registry().register(Method.of("hub/hello", Access.open(), m::hello));
        hub.registry().register(Method.inline("hub/ping", Access.authenticated(), HubMethods::ping));
        hub.registry().register("hub/status", Access.authenticated(), m::status);
    }

    /** Params of {@code hub/hello}. */
    record Hello(
            @JsonProperty("name") String name,
            @JsonProperty("role") String role,
            @JsonProperty("token") String token,
            @JsonProperty("session") String session) {}

    private CompletionStage<JsonNode> hello(Call call) {
        Hello hello = call.params(Hello.class);
        Connection c = call.connection();
        if (!c.isAuthenticated()) {
            if (hello.token() == null || hello.token().isEmpty()) {
                throw HubException.fatal(
                        ErrorCode.FORBIDDEN,
                        "token_required",
                        "hub/hello needs a token on " + c.peer().transport().label()
                                + " (read it from ~/.agentwire/token, or use aw token create)");
            }
            dev.agentwire.core.auth.TokenService.Grant grant;
            try {
                grant = hub.tokens().verify(hello.token());
            } catch (HubException e) {
                var f = dev.agentwire.core.audit.Audit.who(c);
                f.put("reason", e.toRpcError().reason());
                f.put("message", e.getMessage());
                hub.audit().record("login_failed", f);
                throw e;
            }
            hub.authenticate(c, grant);
        }
        c.introduce(hello.name(), hello.role());
        ObjectNode r = Json.mapper().createObjectNode();
        r.put("hub", "agentwire");
        r.put("version", hub.settings().version());
        r.put("protocol", PROTOCOL);
        r.put("connectionId", c.id());
        r.set("peer", describe(c.peer()));
        r.put("authenticated", true);
        r.put("subject", c.subject());
        r.put("identity", c.identity());
        r.put("inbox", "@" + c.identity()); // its direct-message room (rooms.Inboxes)
        var scopes = r.putArray("scopes");
        c.scopes().stream().sorted().forEach(scopes::add);
        hub.greeted(c, call.params(), r);
        return CompletableFuture.completedFuture(r);
    }

    private static CompletionStage<JsonNode> ping(Call call) {
        ObjectNode r = Json.mapper().createObjectNode();
        r.put("pong", true);
        r.put("ts", System.currentTimeMillis());
        return CompletableFuture.completedFuture(r);
    }

    private CompletionStage<JsonNode> status(Call call) {
        return CompletableFuture.completedFuture(hub.status());
    }

    static ObjectNode describe(Peer peer) {
        ObjectNode p = Json.mapper().createObjectNode();
        p.put("transport", peer.transport().label());
        p.put("address", peer.address());
        peer.uid().ifPresent(u -> p.put("uid", u));
        peer.gid().ifPresent(g -> p.put("gid", g));
        peer.pid().ifPresent(pid -> p.put("pid", pid));
        return p;
    }
}
