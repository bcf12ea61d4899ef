package dev.agentwire.protocol;

/**
 * A JSON-RPC request id: a string, an integer number, or null (only in an error response to a message whose
 * id could not be read).
 */
public sealed interface Id permits Id.Str, Id.Num, Id.Null {

    /** The id {@code null}. */
    Id NULL = new Null();

    static Id of(String value) {
        return new Str(value);
    }

    static Id of(long value) {
        return new Num(value);
    }

    /** A string id. */
    record Str(String value) implements Id {
        public Str {
            if (value == null) {
                throw new IllegalArgumentException("string id must not be null");
            }
        }

        @Override
        public String toString() {
            return '"' + value + '"';
        }
    }

    /** An integer id. */
    record Num(long value) implements Id {
        @Override
        public String toString() {
            return Long.toString(value);
        }
    }

    /** The null id. */
    record Null() implements Id {
        @Override
        public String toString() {
            return "null";
        }
    }
}
