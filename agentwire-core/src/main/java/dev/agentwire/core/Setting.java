package dev.agentwire.core;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One configuration knob of a feature: put on a component of the feature's settings record, whose type carries
 * {@link Section} with the YAML section it is read from. The server reads {@code section.key} from its YAML,
 * the environment ({@code AGENTWIRE_SECTION_KEY}) and {@code --set}, checks it against {@link #kind()}, {@link #min()}
 * and {@link #max()}, and builds the record through its canonical constructor. The core itself reads none of this;
 * it only declares.
 *
 * <p>Types: {@link Kind#INTEGER} and {@link Kind#SIZE} fill an {@code int} or a {@code long};
 * {@link Kind#SECONDS} and {@link Kind#MILLIS} a {@link java.time.Duration} (or a {@code long} of that unit);
 * {@link Kind#DECIMAL} a {@code double}; {@link Kind#BOOLEAN} a {@code boolean}; {@link Kind#STRING} a
 * {@code String}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Setting {

    /** The key within the section, e.g. {@code callTimeoutMs}; empty means the component's name. */
    String key() default "";

    /** The default, written as a user would write it ({@code 3600}, {@code 8MiB}, {@code true}); "" means unset. */
    String value();

    Kind kind();

    /** The smallest value allowed (for the numeric kinds). */
    long min() default 0;

    /** The largest value allowed (for the numeric kinds); by default the largest the component's type holds. */
    long max() default Long.MAX_VALUE;

    /** One line for {@code docs/CONFIGURATION.md}: what the knob means. */
    String doc();

    /** How a value is written and what it becomes. */
    enum Kind {
        /** A whole number from min to max. */
        INTEGER,
        /** A byte size ({@code 65536}, {@code 64KiB}, {@code 16MiB}) from min to max bytes. */
        SIZE,
        /** A whole number of seconds from min to max. */
        SECONDS,
        /** A whole number of milliseconds from min to max. */
        MILLIS,
        /** A number (with a fraction) from min to max. */
        DECIMAL,
        /** {@code true}/{@code false} (also yes/no, on/off, 1/0). */
        BOOLEAN,
        /** Text as written. */
        STRING,
        /**
         * A list (a YAML list, or items separated by commas) of a {@code List<E>} component: each item is parsed by
         * {@code E}'s {@code public static E parse(String)}, which throws {@link IllegalArgumentException} saying what
         * it expected. "" is the empty list.
         */
        LIST
    }

    /** The YAML section a settings record is read from, e.g. {@code sessions}; put on the record type. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface Section {
        String value();
    }
}
