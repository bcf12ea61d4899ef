package dev.agentwire.server.config;

import dev.agentwire.core.Setting;
import dev.agentwire.core.Setting.Kind;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads a feature's settings record (a record type with {@link Setting.Section}, each component with
 * {@link Setting}) as configuration keys, and builds the record from their parsed values through its canonical
 * constructor. Stateless; a malformed record fails when its keys are first asked for, naming the component.
 */
final class SettingsBinder {

    private SettingsBinder() {}

    /** The record's YAML section, from its {@link Setting.Section}. */
    static String section(Class<? extends Record> type) {
        Setting.Section section = type.getAnnotation(Setting.Section.class);
        if (section == null || section.value().isEmpty()) {
            throw new IllegalArgumentException(type.getName() + " has no @Setting.Section naming its YAML section");
        }
        return section.value();
    }

    /** The keys the record declares, {@code section.key}, in component order. */
    static List<ConfigKeys.Key> keys(Class<? extends Record> type) {
        String section = section(type);
        List<ConfigKeys.Key> keys = new ArrayList<>();
        for (RecordComponent c : type.getRecordComponents()) {
            Setting s = setting(type, c);
            keys.add(new ConfigKeys.Key(path(section, c, s), s.value(), parser(c, s, max(c, s)), s.doc()));
        }
        return keys;
    }

    /** The record built from {@code parsed} (key path to the value its parser returned). */
    static <T extends Record> T bind(Class<T> type, Map<String, Object> parsed) {
        String section = section(type);
        RecordComponent[] components = type.getRecordComponents();
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            Setting s = setting(type, c);
            args[i] = convert(c.getType(), s.kind(), parsed.get(path(section, c, s)));
        }
        Class<?>[] types =
                Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        try {
            Constructor<T> canonical = type.getDeclaredConstructor(types);
            canonical.setAccessible(true);
            return canonical.newInstance(args);
        } catch (InvocationTargetException e) {
            // The record's own checks, across knobs (e.g. one limit below another).
            throw new ConfigException(
                    "config section " + section + ": " + e.getCause().getMessage());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getName() + ": " + e, e);
        }
    }

    private static String path(String section, RecordComponent c, Setting s) {
        return section + "." + (s.key().isEmpty() ? c.getName() : s.key());
    }

    private static Setting setting(Class<?> type, RecordComponent c) {
        Setting s = c.getAnnotation(Setting.class);
        if (s == null) {
            throw new IllegalArgumentException(
                    "component " + c.getName() + " of " + type.getName() + " has no @Setting");
        }
        Class<?> t = c.getType();
        boolean fits = switch (s.kind()) {
            case INTEGER, SIZE -> t == int.class || t == long.class;
            case SECONDS, MILLIS -> t == Duration.class || t == long.class;
            case DECIMAL -> t == double.class;
            case BOOLEAN -> t == boolean.class;
            case STRING -> t == String.class;
            case LIST -> t == List.class && parseMethod(c) != null;
        };
        if (!fits || (t == int.class && (s.min() < Integer.MIN_VALUE || max(c, s) > Integer.MAX_VALUE))) {
            throw new IllegalArgumentException("component " + c.getName() + " of " + type.getName() + " is a "
                    + t.getSimpleName() + ", which cannot hold a " + s.kind() + " from " + s.min() + " to "
                    + max(c, s));
        }
        return s;
    }

    /** {@link Setting#max()}, where left at its default, is the largest the component's type holds. */
    private static long max(RecordComponent c, Setting s) {
        return c.getType() == int.class && s.max() == Long.MAX_VALUE ? Integer.MAX_VALUE : s.max();
    }

    private static Function<RawValue, Object> parser(RecordComponent c, Setting s, long max) {
        return switch (s.kind()) {
            case INTEGER, SECONDS, MILLIS -> ValueParsers.integer(s.min(), max);
            case SIZE -> ValueParsers.size(s.min(), max);
            case DECIMAL -> ValueParsers.decimal(s.min(), max);
            case BOOLEAN -> ValueParsers.BOOLEAN;
            case STRING -> ValueParsers.STRING;
            case LIST -> ValueParsers.listOf(v -> parseItem(c, v.text()));
        };
    }

    /** The {@code public static E parse(String)} of a {@code List<E>} component's {@code E}, or null. */
    private static java.lang.reflect.Method parseMethod(RecordComponent c) {
        if (!(c.getGenericType() instanceof java.lang.reflect.ParameterizedType list)
                || !(list.getActualTypeArguments()[0] instanceof Class<?> element)) {
            return null;
        }
        try {
            java.lang.reflect.Method parse = element.getMethod("parse", String.class);
            return java.lang.reflect.Modifier.isStatic(parse.getModifiers()) && parse.getReturnType() == element
                    ? parse
                    : null;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static Object parseItem(RecordComponent c, String text) {
        try {
            return parseMethod(c).invoke(null, text);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException bad) {
                throw bad;
            }
            throw new IllegalStateException("cannot parse " + text + " for " + c.getName(), e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot call parse for " + c.getName(), e);
        }
    }

    private static Object convert(Class<?> type, Kind kind, Object value) {
        if (type == int.class) {
            return ((Long) value).intValue();
        }
        if (type == Duration.class) {
            long n = (Long) value;
            return kind == Kind.SECONDS ? Duration.ofSeconds(n) : Duration.ofMillis(n);
        }
        return value;
    }
}
