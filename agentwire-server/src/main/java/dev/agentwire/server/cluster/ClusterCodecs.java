package dev.agentwire.server.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.relay.Directory;
import dev.agentwire.core.services.Instance;
import dev.agentwire.core.sessions.Session;
import dev.agentwire.core.tools.ToolDef;
import dev.agentwire.core.tools.ToolTable;
import dev.agentwire.protocol.Json;
import java.io.UncheckedIOException;

/** What crosses hubs of the features' directory entries: a tool's declaration and who registered it; a session. */
public final class ClusterCodecs {

    private ClusterCodecs() {}

    /** A tool: its declaration and identity; another hub's tool is reached through the inbox. */
    public static RedisDirectory.Codec<ToolTable.Entry> tools(Inbox inbox) {
        return new RedisDirectory.Codec<>() {
            @Override
            public String encode(ToolTable.Entry value) {
                ObjectNode j = Json.mapper().createObjectNode();
                j.set("tool", value.tool().declaration());
                j.put("subject", value.subject());
                return j.toString();
            }

            @Override
            public ToolTable.Entry decode(Directory.Owner owner, String name, String text) {
                JsonNode j = read(text);
                return new ToolTable.Entry(
                        ToolDef.parse(j.path("tool"), 0),
                        j.path("subject").asText(),
                        inbox.link(owner.hub(), owner.connection(), "tools"));
            }
        };
    }

    /** A service instance: its service, labels and who serves it; another hub's is reached through the inbox. */
    public static RedisDirectory.Codec<Instance> services(Inbox inbox, RedisAgents agents) {
        return new RedisDirectory.Codec<>() {
            @Override
            public String encode(Instance value) {
                ObjectNode j = Json.mapper().createObjectNode();
                j.put("service", value.service());
                j.put("group", value.group());
                j.put("version", value.version());
                j.put("connectionId", value.server().connectionId());
                j.put("name", value.server().name());
                j.put("identity", value.server().identity());
                j.put("transport", value.server().transport());
                return j.toString();
            }

            @Override
            public Instance decode(Directory.Owner owner, String name, String text) {
                JsonNode j = read(text);
                if (owner.hub().equals(RedisAgents.OWNER.hub())) {
                    RedisAgents.Agent agent =
                            RedisAgents.Agent.parse(j.path("name").asText());
                    return agents.instance(agent);
                }
                return Instance.remote(
                        inbox.link(owner.hub(), owner.connection(), "services"),
                        new Instance.Server(
                                j.path("connectionId").asLong(),
                                j.path("name").asText(),
                                j.path("identity").asText(),
                                j.path("transport").asText() + " on hub " + owner.hub()),
                        j.path("service").asText(),
                        j.path("group").asText(),
                        j.path("version").asText());
            }
        };
    }

    /** A session's shared facts. */
    public static RedisDirectory.Codec<Session.Info> sessions() {
        return new RedisDirectory.Codec<>() {
            @Override
            public String encode(Session.Info value) {
                try {
                    return Json.mapper().writeValueAsString(value);
                } catch (JsonProcessingException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public Session.Info decode(Directory.Owner owner, String name, String text) {
                try {
                    return Json.mapper().readValue(text, Session.Info.class);
                } catch (JsonProcessingException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    private static JsonNode read(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
