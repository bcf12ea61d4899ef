package dev.agentwire.cli;

import dev.agentwire.client.Endpoint;
import dev.agentwire.server.config.ConfigLoader;
import dev.agentwire.server.config.GenerateSettings;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * {@code aw generate}'s defaults: the {@code generate:} section of agentwire.yaml ({@code --config}, else
 * {@code AGENTWIRE_CONFIG}, else {@code AGENTWIRE_HOME/agentwire.yaml}), the {@code AGENTWIRE_GENERATE_*}
 * environment, and the socket skill's {@code DEFAULT_BUFFER_SIZE} (below {@code AGENTWIRE_GENERATE_BUFFER_SIZE}
 * when both are set). Flags override all of these. Stateless.
 */
final class GenerateDefaults {

    private GenerateDefaults() {}

    /** The defaults; a bad value throws {@link dev.agentwire.server.config.ConfigException} naming its source. */
    static GenerateSettings load(Optional<Path> config, Map<String, String> env) {
        Path home = Endpoint.home(env);
        ConfigLoader loader = ConfigLoader.standard(home, config, env);
        String size = env.get("DEFAULT_BUFFER_SIZE");
        if (size != null && !env.containsKey("AGENTWIRE_GENERATE_BUFFER_SIZE")) {
            loader.set("generate.bufferSize", size, "environment DEFAULT_BUFFER_SIZE");
        }
        return loader.load(home).section(GenerateSettings.class);
    }
}
