package dev.agentwire.core.terminals;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A program's output read in chunks, as text: a character split between two reads comes out whole with the
 * second, and bytes that are not UTF-8 become U+FFFD. For forwarders that pass a PTY's output on. Not thread safe:
 * one reader.
 */
public final class Utf8Chunks {

    private final CharsetDecoder decoder = StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final ByteBuffer in;
    private final CharBuffer chars;

    /** @param maxChunk the most bytes one {@link #decode} is given */
    public Utf8Chunks(int maxChunk) {
        this.in = ByteBuffer.allocate(maxChunk + 8);
        this.chars = CharBuffer.allocate(maxChunk + 8);
    }

    /** The text of {@code n} more bytes of {@code buf}, less a character they end in the middle of. */
    public String decode(byte[] buf, int n) {
        in.put(buf, 0, n).flip();
        decoder.decode(in, chars, false);
        in.compact();
        chars.flip();
        String text = chars.toString();
        chars.clear();
        return text;
    }
}
