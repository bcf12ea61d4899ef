package dev.agentwire.bench;

import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.MessageCodec;
import dev.agentwire.protocol.Parsed;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * The hub's own work on one relayed answer, in process: read a provider's response and write it to the caller
 * under the caller's id. {@code full} parses the result into a tree and writes the tree; {@code kept} keeps the
 * result as the text it came in ({@link MessageCodec#parseKeepingResults}) and writes that text. Both run for
 * the same time on the same bytes (a tool result with one text item of the given size); the rate is answers
 * per second on one thread.
 */
final class CodecRelay {

    private CodecRelay() {}

    /** A tool call's answer as a provider writes it, with a text of {@code textBytes}. */
    static byte[] answer(int textBytes) {
        StringBuilder text = new StringBuilder(textBytes);
        String words = "the quick brown fox jumps over the lazy dog; \\\"quoted\\\" and \\u00e9 ";
        while (text.length() < textBytes) {
            text.append(words);
        }
        text.setLength(textBytes);
        while (text.charAt(text.length() - 1) == '\\') {
            text.setLength(text.length() - 1);
        }
        return ("{\"jsonrpc\":\"2.0\",\"id\":41,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"" + text
                        + "\"}],\"isError\":false}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Answers per second relayed by parsing the result into a tree. */
    static double full(byte[] answer, long millis) {
        return run(answer, millis, MessageCodec::parse);
    }

    /** Answers per second relayed with the result kept as text. */
    static double kept(byte[] answer, long millis) {
        return run(answer, millis, MessageCodec::parseKeepingResults);
    }

    private static double run(byte[] answer, long millis, Function<byte[], Parsed> parse) {
        long sink = 0;
        for (int i = 0; i < 2_000; i++) { // warm up
            sink += relay(answer, parse);
        }
        long n = 0;
        long start = System.nanoTime();
        long end = start + millis * 1_000_000;
        long now;
        do {
            for (int i = 0; i < 64; i++) {
                sink += relay(answer, parse);
            }
            n += 64;
            now = System.nanoTime();
        } while (now < end);
        if (sink == 42) {
            System.out.print("");
        }
        return n * 1e9 / (now - start);
    }

    private static int relay(byte[] answer, Function<byte[], Parsed> parse) {
        Message.Response r = (Message.Response) ((Parsed.Valid) parse.apply(answer)).message();
        return MessageCodec.encode(new Message.Response(Id.of(7), r.result())).length;
    }
}
