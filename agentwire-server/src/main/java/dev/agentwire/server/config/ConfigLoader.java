package dev.agentwire.server.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.agentwire.protocol.Text;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads configuration from its three sources and produces a validated {@link HubConfig}. Precedence: flags >
 * environment > YAML file > defaults.
 */
public final class ConfigLoader {

    /** Reads a mapping inside a list as a tree (plain values, as the YAML parser typed them). */
    private static final com.fasterxml.jackson.databind.ObjectMapper TREES =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private final Map<String, RawValue> values = new LinkedHashMap<>();
    private final Map<String, ConfigKeys.Key> keys = new LinkedHashMap<>(ConfigKeys.all());
    private final List<Class<? extends Record>> sections = new ArrayList<>(ConfigKeys.sections());

    /**
     * The loader {@code aw hub} and the builder use: {@code file} if given, else {@code AGENTWIRE_CONFIG}, else
     * {@code home/agentwire.yaml} if it exists; then the environment.
     */
    public static ConfigLoader standard(Path home, Optional<Path> file, Map<String, String> env) {
        ConfigLoader loader = new ConfigLoader();
        Optional<Path> yaml =
                file.or(() -> Optional.ofNullable(env.get("AGENTWIRE_CONFIG")).map(Path::of));
        if (yaml.isEmpty() && Files.isRegularFile(home.resolve("agentwire.yaml"))) {
            yaml = Optional.of(home.resolve("agentwire.yaml"));
        }
        yaml.ifPresent(loader::yaml);
        return loader.environment(env);
    }

    /** Reads a YAML file: every scalar keeps its text as written ({@code 0660} stays octal). */
    public ConfigLoader yaml(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("config file " + file + " does not exist or is not a file");
        }
        try (JsonParser p = new YAMLFactory().createParser(file.toFile())) {
            readYaml(p, file.getFileName().toString());
        } catch (IOException e) {
            throw new ConfigException("config file " + file + " is not valid YAML: " + Text.firstLine(e.getMessage()));
        }
        return this;
    }

    /** Reads YAML text (for tests and embedders). */
    public ConfigLoader yamlText(String yaml, String name) {
        try (JsonParser p = new YAMLFactory().createParser(yaml)) {
            readYaml(p, name);
        } catch (IOException e) {
            throw new ConfigException(name + " is not valid YAML: " + Text.firstLine(e.getMessage()));
        }
        return this;
    }

    /** Reads {@code AGENTWIRE_*} variables named after keys, and the short and BTCP aliases. */
    public ConfigLoader environment(Map<String, String> env) {
        Map<String, String> byEnvName = new HashMap<>();
        for (ConfigKeys.Key k : keys.values()) {
            byEnvName.put(k.envName(), k.path());
        }
        // Aliases first, so that a full name set beside an alias wins.
        for (var e : ConfigKeys.ENV_ALIASES.entrySet()) {
            String v = env.get(e.getKey());
            if (v != null) {
                put(e.getValue(), RawValue.list(List.of(v.split(",", -1)), "environment " + e.getKey(), v));
            }
        }
        for (var e : byEnvName.entrySet()) {
            String v = env.get(e.getKey());
            if (v != null) {
                put(e.getValue(), RawValue.list(List.of(v.split(",", -1)), "environment " + e.getKey(), v));
            }
        }
        return this;
    }

    /**
     * Adds a settings record's section (see {@link dev.agentwire.core.Setting}) to the keys this loader knows, for
     * a section that is not one of the hub's own ({@link ConfigKeys#sections()}): tests and embedders. Call it
     * before reading any source, since a source is checked against the keys as it is read.
     */
    public ConfigLoader section(Class<? extends Record> type) {
        for (ConfigKeys.Key k : SettingsBinder.keys(type)) {
            if (keys.putIfAbsent(k.path(), k) != null) {
                throw new IllegalArgumentException(
                        "config key " + k.path() + " of " + type.getName() + " is declared twice");
            }
        }
        sections.add(type);
        return this;
    }

    /** Every key this loader knows, in declaration order. */
    public Map<String, ConfigKeys.Key> keys() {
        return Collections.unmodifiableMap(keys);
    }

    /** Sets one key from a flag; {@code source} names the flag. */
    public ConfigLoader set(String key, String value, String source) {
        if (!keys.containsKey(key)) {
            throw new ConfigException("unknown config key " + key + " (" + source + ")");
        }
        put(key, RawValue.list(List.of(value.split(",", -1)), source, value));
        return this;
    }

    /** Takes every value set in {@code other}, over this one's (higher precedence). */
    public ConfigLoader merge(ConfigLoader other) {
        for (Class<? extends Record> type : other.sections) {
            if (!sections.contains(type)) {
                section(type);
            }
        }
        values.putAll(other.values);
        return this;
    }

    /** Parses and checks every value. */
    public HubConfig load(Path home) {
        Map<String, Object> parsed = new HashMap<>();
        for (ConfigKeys.Key k : keys.values()) {
            RawValue raw = values.get(k.path());
            if (raw == null) {
                raw = k.defaultText().isEmpty()
                        ? RawValue.list(List.of(), "default", "")
                        : RawValue.scalar(k.defaultText(), "default");
            }
            try {
                parsed.put(k.path(), k.parser().apply(raw));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("config key " + k.path() + " has a bad value '" + raw.text() + "' ("
                        + raw.source() + "): " + e.getMessage());
            }
        }
        Map<Class<? extends Record>, Record> bound = new LinkedHashMap<>();
        for (Class<? extends Record> type : sections) {
            bound.put(type, SettingsBinder.bind(type, parsed));
        }
        return HubConfig.from(home, parsed, bound);
    }

    /** Where a key's value came from, if it was set. */
    public Optional<String> sourceOf(String key) {
        return Optional.ofNullable(values.get(key)).map(RawValue::source);
    }

    private void put(String key, RawValue raw) {
        values.put(key, raw);
    }

    private void readYaml(JsonParser p, String name) throws IOException {
        Deque<String> path = new ArrayDeque<>();
        JsonToken t = p.nextToken();
        if (t == null) {
            return;
        }
        if (t != JsonToken.START_OBJECT) {
            throw new ConfigException(name + " must be a mapping of keys to values");
        }
        String field = null;
        while ((t = p.nextToken()) != null) {
            switch (t) {
                case FIELD_NAME -> field = p.currentName();
                case START_OBJECT -> {
                    path.addLast(field);
                    field = null;
                }
                case END_OBJECT -> {
                    if (!path.isEmpty()) {
                        path.removeLast();
                    }
                }
                case START_ARRAY -> {
                    String key = join(path, field);
                    int line = p.currentTokenLocation().getLineNr();
                    List<String> items = new ArrayList<>();
                    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                        if (t == JsonToken.START_OBJECT) {
                            // A mapping item (router.providers' {name, ..., healthUrl}) reaches the item's parser
                            // as its JSON; a list whose items take no mapping refuses it there.
                            items.add(TREES.readTree(p).toString());
                            continue;
                        }
                        if (t == null || t.isStructStart()) {
                            throw new ConfigException("config key " + key + " (" + name + " line " + line
                                    + ") must be a list of plain values or mappings");
                        }
                        items.add(p.getText());
                    }
                    put(
                            checked(key, name, line),
                            RawValue.list(items, name + " line " + line, String.join(",", items)));
                }
                default -> {
                    String key = join(path, field);
                    int line = p.currentTokenLocation().getLineNr();
                    String text = t == JsonToken.VALUE_NULL ? "" : p.getText();
                    put(checked(key, name, line), RawValue.scalar(text, name + " line " + line));
                }
            }
        }
    }

    private String checked(String key, String source, int line) {
        if (!keys.containsKey(key)) {
            throw new ConfigException("unknown config key " + key + " (" + source + " line " + line + ")");
        }
        return key;
    }

    private static String join(Deque<String> path, String field) {
        StringBuilder sb = new StringBuilder();
        for (String p : path) {
            sb.append(p).append('.');
        }
        return sb.append(field).toString();
    }
}
