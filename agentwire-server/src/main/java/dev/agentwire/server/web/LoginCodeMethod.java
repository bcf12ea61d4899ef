package dev.agentwire.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.HubException;
import dev.agentwire.core.rpc.Call;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Json;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.IntSupplier;

/**
 * {@code auth/login-code {page}} → {@code {url, page, expiresAt}}: a one-time login URL for a browser
 * ({@code aw open}). Only the owner (scope {@code admin}) may ask. Thread safe.
 */
public final class LoginCodeMethod {

    private final WebAccess access;
    private final IntSupplier port;

    /** {@code port} gives the bound TCP port, or a negative number when TCP is off. */
    public LoginCodeMethod(WebAccess access, IntSupplier port) {
        this.access = access;
        this.port = port;
    }

    public CompletionStage<JsonNode> call(Call call) {
        JsonNode page = call.params().path("page");
        if (!page.isMissingNode() && !page.isNull() && !page.isTextual()) {
            throw HubException.of(ErrorCode.INVALID_PARAMS, "invalid_params", "page must be a string, got " + page);
        }
        String wanted = page.isTextual() ? page.textValue() : "dashboard";
        String path = HubPages.path(wanted)
                .orElseThrow(() -> HubException.of(
                        ErrorCode.INVALID_PARAMS,
                        "unknown_page",
                        "there is no page " + wanted + " to log in to; pages: " + HubPages.names()));
        int p = port.getAsInt();
        if (p < 0) {
            throw HubException.of(
                    ErrorCode.NOT_FOUND,
                    "no_tcp",
                    "the hub has no TCP port (clientPort is -1), so a browser cannot reach it");
        }
        BrowserLogins.Code code = access.logins().issue(path);
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("url", access.loginUrl(p, code));
        out.put("page", path);
        out.put("expiresAt", code.expiresAt().toString());
        return CompletableFuture.completedFuture(out);
    }
}
