package dev.agentwire.protocol;

/**
 * Strict UTF-8 (RFC 3629) for JSON texts on the wire: finds the first byte that is not part of a well-formed
 * sequence (overlong forms, surrogates, code points above U+10FFFF, stray or missing continuation bytes), and
 * the first NUL byte, which no JSON text contains (control characters must be escaped) and which would make
 * Jackson guess UTF-16 or UTF-32. Stateless.
 */
final class Utf8 {

    private Utf8() {}

    /** What is wrong at a byte, if anything. */
    record Problem(int index, String what) {}

    /** The first problem in {@code bytes[offset, offset+length)}, or {@code null} when there is none. */
    static Problem check(byte[] bytes, int offset, int length) {
        int end = offset + length;
        int i = offset;
        while (i < end) {
            int b = bytes[i];
            if (b > 0) {
                i++;
                continue;
            }
            if (b == 0) {
                return new Problem(i - offset, "a NUL byte (control characters must be escaped)");
            }
            int lead = b & 0xFF;
            int need;
            int min;
            if (lead >= 0xC2 && lead <= 0xDF) {
                need = 1;
                min = 0x80;
            } else if (lead >= 0xE0 && lead <= 0xEF) {
                need = 2;
                min = 0x800;
            } else if (lead >= 0xF0 && lead <= 0xF4) {
                need = 3;
                min = 0x10000;
            } else {
                return new Problem(i - offset, String.format("byte 0x%02X cannot start a character", lead));
            }
            if (end - i <= need) {
                return new Problem(i - offset, "a character cut short");
            }
            int cp = lead & (0x3F >> need);
            for (int k = 1; k <= need; k++) {
                int c = bytes[i + k] & 0xFF;
                if ((c & 0xC0) != 0x80) {
                    return new Problem(i - offset, "a character cut short");
                }
                cp = (cp << 6) | (c & 0x3F);
            }
            if (cp < min) {
                return new Problem(i - offset, "an overlong encoding");
            }
            if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
                return new Problem(i - offset, String.format("U+%X, which is not a character", cp));
            }
            i += need + 1;
        }
        return null;
    }
}
