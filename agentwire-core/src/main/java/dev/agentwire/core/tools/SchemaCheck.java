package dev.agentwire.core.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaId;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.resource.AllowSchemaLoader;
import dev.agentwire.core.HubException;
import dev.agentwire.protocol.ErrorCode;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;

/**
 * JSON Schema (2020-12 by default, or the schema's own {@code $schema}) through networknt's validator. What a
 * client registers cannot make the hub fetch, recurse or backtrack: remote {@code $ref}s are refused, the shape is
 * checked first ({@link SchemaShape}: depth, recursive refs), patterns run on RE2/J ({@link LinearRegex}), and
 * each validation runs within a time budget. Thread safe.
 */
final class SchemaCheck {

    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(
            SpecVersion.VersionFlag.V202012,
            b -> b.schemaLoaders(
                    l -> l.add(new AllowSchemaLoader(iri -> iri.toString().startsWith("classpath:")))));
    private static final JsonSchema META = FACTORY.getSchema(SchemaLocation.of(SchemaId.V202012));
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
            .regularExpressionFactory(LinearRegex.INSTANCE)
            .pathType(PathType.LEGACY)
            .build();
    /** How long one validation may take (regular expressions included). */
    static final long BUDGET_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(2);

    private SchemaCheck() {}

    /**
     * Checks that {@code schema} is a JSON Schema object (valid against the 2020-12 meta-schema) and compiles it.
     *
     * @throws HubException {@code -32602} naming the tool, the field and the problem
     */
    static JsonSchema compile(String tool, String field, JsonNode schema) {
        if (schema == null || !schema.isObject()) {
            throw invalid(tool, field, "", "must be a JSON Schema object");
        }
        Optional<String[]> shape = SchemaShape.problem(schema);
        if (shape.isPresent()) {
            throw invalid(tool, field, shape.get()[0], shape.get()[1]);
        }
        Optional<ValidationMessage> bad = first(META.validate(schema));
        if (bad.isPresent()) {
            throw invalid(
                    tool,
                    field,
                    bad.get().getInstanceLocation().toString(),
                    bad.get().getMessage());
        }
        try {
            JsonSchema compiled = FACTORY.getSchema(schema, CONFIG);
            compiled.initializeValidators();
            return compiled;
        } catch (RuntimeException | StackOverflowError e) {
            throw invalid(tool, field, "", "cannot be compiled: " + rootMessage(e));
        }
    }

    /** Validates arguments; {@code -32602} with the failing path in {@code data.path}. */
    static void validate(String tool, JsonSchema schema, JsonNode arguments) {
        var result = new java.util.concurrent.atomic.AtomicReference<Optional<ValidationMessage>>();
        LinearRegex.Deadline.within(
                BUDGET_NANOS,
                "validating the arguments of " + tool,
                () -> result.set(first(schema.validate(arguments))));
        Optional<ValidationMessage> bad = result.get();
        if (bad.isPresent()) {
            String path = bad.get().getInstanceLocation().toString();
            var data = HubException.reasonData("invalid_arguments");
            data.put("path", path);
            data.put("tool", tool);
            throw HubException.withData(
                    ErrorCode.INVALID_PARAMS,
                    "arguments of " + tool + " do not fit its inputSchema at " + path + ": "
                            + bad.get().getMessage(),
                    data);
        }
    }

    private static Optional<ValidationMessage> first(Set<ValidationMessage> messages) {
        return messages.stream()
                .min(Comparator.comparing(
                                (ValidationMessage m) -> m.getInstanceLocation().toString())
                        .thenComparing(ValidationMessage::getMessage));
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && !(t instanceof LinearRegex.Unsupported)) {
            t = t.getCause();
        }
        return t instanceof StackOverflowError ? "it nests too deeply" : String.valueOf(t.getMessage());
    }

    private static HubException invalid(String tool, String field, String at, String problem) {
        var data = HubException.reasonData("invalid_schema");
        data.put("tool", tool);
        data.put("field", field);
        data.put("path", at);
        return HubException.withData(
                ErrorCode.INVALID_PARAMS,
                "tool " + tool + ": " + field + (at.isEmpty() || at.equals("$") ? "" : " at " + at) + " " + problem,
                data);
    }
}
