package dev.agentwire.core.git;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.HubException;
import dev.agentwire.core.rpc.Access;
import dev.agentwire.core.rpc.MethodRegistry;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Json;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/** {@code git/follow {path}}, {@code git/unfollow {path?}}, {@code git/list}. */
public final class GitMethods {

    private GitMethods() {}

    public static void register(MethodRegistry methods, GitFollower git) {
        methods.register("git/follow", Access.scope("git"), call -> {
            JsonNode path = call.params().path("path");
            if (!path.isTextual() || path.textValue().isEmpty()) {
                throw HubException.of(ErrorCode.INVALID_PARAMS, "invalid_params", "git/follow needs \"path\"");
            }
            return CompletableFuture.completedFuture(git.follow(Path.of(path.textValue())));
        });
        methods.register("git/unfollow", Access.scope("git"), call -> {
            JsonNode path = call.params().path("path");
            int n = git.unfollow(path.isTextual() ? Path.of(path.textValue()) : null);
            return CompletableFuture.completedFuture(
                    Json.mapper().createObjectNode().put("unfollowed", n));
        });
        methods.register(
                "git/list",
                Access.scope("git"),
                call -> CompletableFuture.completedFuture(
                        Json.mapper().createObjectNode().set("repositories", git.list())));
    }
}
