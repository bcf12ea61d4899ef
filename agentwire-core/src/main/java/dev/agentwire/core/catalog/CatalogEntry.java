package dev.agentwire.core.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.protocol.ErrorCode;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A prompt, a resource or a resource template as its provider declared it (MCP's {@code Prompt}, {@code Resource},
 * {@code ResourceTemplate}), with the connection that provides it and the identity that registered it.
 *
 * @param kind what it is
 * @param key its name (a prompt) or URI (a resource) or URI template
 * @param declaration what the lists show, as the provider sent it
 * @param template the compiled template (a {@link Kind#TEMPLATE} only)
 */
public record CatalogEntry(
        Kind kind,
        String key,
        ObjectNode declaration,
        Optional<UriTemplate> template,
        String subject,
        Connection provider) {

    /** MCP's advice for names: 1-128 of letters, digits, {@code _ - . /}. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-/]{1,128}");

    /** The longest URI or URI template taken. */
    static final int MAX_URI = 2048;

    /**
     * Checks one entry of a register call: an object with its key ({@code name}, {@code uri}, {@code uriTemplate}),
     * a {@code name}, and optional {@code title}, {@code description}, {@code mimeType} strings; a prompt's
     * {@code arguments} is an array of objects with a {@code name}.
     *
     * @throws HubException {@code -32602} naming the entry and the member
     */
    static CatalogEntry parse(Kind kind, JsonNode node, int index, Connection provider) {
        String where = kind.listName() + "[" + index + "]";
        if (node == null || !node.isObject()) {
            throw bad(where + " must be an object");
        }
        JsonNode key = node.get(kind.keyName());
        if (key == null || !key.isTextual() || key.textValue().isEmpty()) {
            throw bad(where + "." + kind.keyName() + " must be a non-empty string");
        }
        String k = key.textValue();
        if (kind == Kind.PROMPT && !NAME.matcher(k).matches()) {
            throw bad(where + ".name must be 1-128 letters, digits, '_', '-', '.' or '/', got " + key);
        }
        if (kind != Kind.PROMPT && (k.length() > MAX_URI || k.chars().anyMatch(c -> c <= ' '))) {
            throw bad(where + "." + kind.keyName() + " must be at most " + MAX_URI
                    + " characters with no spaces or control characters");
        }
        JsonNode name = node.get("name");
        if (name == null || !name.isTextual() || name.textValue().isBlank()) {
            throw bad(where + ".name must be a non-empty string");
        }
        for (String text : new String[] {"title", "description", "mimeType"}) {
            JsonNode v = node.get(text);
            if (v != null && !v.isTextual()) {
                throw bad(where + "." + text + " must be a string");
            }
        }
        JsonNode arguments = node.get("arguments");
        if (arguments != null) {
            if (kind != Kind.PROMPT || !arguments.isArray()) {
                throw bad(where + ".arguments must be an array (prompts only)");
            }
            for (int i = 0; i < arguments.size(); i++) {
                if (!arguments.get(i).isObject()
                        || !arguments.get(i).path("name").isTextual()) {
                    throw bad(where + ".arguments[" + i + "] must be an object with a name");
                }
            }
        }
        Optional<UriTemplate> template = kind == Kind.TEMPLATE ? Optional.of(UriTemplate.parse(k)) : Optional.empty();
        return new CatalogEntry(kind, k, ((ObjectNode) node).deepCopy(), template, provider.subject(), provider);
    }

    private static HubException bad(String message) {
        return HubException.of(ErrorCode.INVALID_PARAMS, "invalid_entry", message);
    }
}
