package dev.agentwire.protocol;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NumericNode;

/**
 * Builds JSON trees whose floating-point numbers are finite: a number beyond the range of a 64-bit float
 * ({@code 1e400}) would become infinity, which JSON cannot carry, and be written back as the string
 * {@code "Infinity"}; reading it fails with {@link OutOfRange} instead. Stateless and thread safe.
 */
final class FiniteNumbers extends JsonNodeFactory {

    private static final long serialVersionUID = 1L;

    /** A number that does not fit a 64-bit float. */
    static final class OutOfRange extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OutOfRange(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public NumericNode numberNode(double v) {
        if (!Double.isFinite(v)) {
            throw new OutOfRange("a number beyond the range of a 64-bit float (about 1.8e308)");
        }
        return super.numberNode(v);
    }
}
