package dev.agentwire.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Complete JSON values out of a byte stream, whatever separates them, at every chunking. */
class JsonValueDecoderTest {

    /** Feeds {@code bytes} in chunks of {@code chunk}, accumulating like a transport does; then ends the input. */
    private static List<String> feed(JsonValueDecoder d, String text, int chunk, boolean end) {
        byte[] bytes = text.getBytes(UTF_8);
        List<Frame> out = new ArrayList<>();
        ByteBuffer acc = ByteBuffer.allocate(bytes.length);
        acc.flip();
        for (int i = 0; i < bytes.length; i += chunk) {
            int n = Math.min(chunk, bytes.length - i);
            acc.compact();
            acc.put(bytes, i, n);
            acc.flip();
            d.decode(acc, out::add);
        }
        if (end) {
            d.finish(acc, out::add);
        }
        return out.stream().map(f -> new String(f.payload(), UTF_8)).toList();
    }

    private static List<String> everyChunking(String text, boolean end, int max) {
        List<String> first = null;
        for (int chunk = 1; chunk <= text.getBytes(UTF_8).length; chunk++) {
            List<String> got = feed(new JsonValueDecoder(max), text, chunk, end);
            if (first == null) {
                first = got;
            }
            assertThat(got).as("chunks of %d", chunk).isEqualTo(first);
        }
        return first;
    }

    @Test
    void aValueWithoutANewlineIsCompleteWhenItsBracketsBalance() {
        assertThat(everyChunking("{\"id\":\"1\",\"action\":\"x\",\"data\":{\"a\":[1,{\"b\":2}]}}", false, 1000))
                .containsExactly("{\"id\":\"1\",\"action\":\"x\",\"data\":{\"a\":[1,{\"b\":2}]}}");
    }

    @Test
    void valuesBackToBackWithoutSeparatorsAndAcrossLines() {
        assertThat(everyChunking("{\"a\":1}{\"b\":2}[3]\n\n  {\n  \"c\": 4\n}\r\n{\"d\":5}\n", false, 1000))
                .containsExactly("{\"a\":1}", "{\"b\":2}", "[3]", "{\n  \"c\": 4\n}", "{\"d\":5}");
    }

    @Test
    void bracketsAndQuotesInsideStringsDoNotCount() {
        String v = "{\"s\":\"}{][\\\"\\\\\",\"t\":\"\\\\\"}";
        assertThat(everyChunking(v + v, false, 1000)).containsExactly(v, v);
        assertThat(everyChunking("{\"é\":\"ü}\"}", false, 1000)).containsExactly("{\"é\":\"ü}\"}");
    }

    @Test
    void somethingThatIsNotAnObjectOrArrayRunsToTheEndOfItsLine() {
        assertThat(everyChunking("this is not json\r\n{\"a\":1}", false, 1000))
                .containsExactly("this is not json", "{\"a\":1}");
    }

    @Test
    void malformedJsonWithBalancedBracketsIsAFrameForTheReaderToRefuse() {
        assertThat(everyChunking("{\"a\": nope}{\"b\":1}", false, 1000)).containsExactly("{\"a\": nope}", "{\"b\":1}");
    }

    @Test
    void anUnfinishedValueWaitsAndIsHandedOverWhenTheInputEnds() {
        assertThat(everyChunking("{\"a\":1}{\"b\":", false, 1000)).containsExactly("{\"a\":1}");
        assertThat(everyChunking("{\"a\":1}{\"b\":", true, 1000)).containsExactly("{\"a\":1}", "{\"b\":");
        assertThat(everyChunking("{\"a\":1}  \n ", true, 1000)).containsExactly("{\"a\":1}");
    }

    @Test
    void aValueOverTheLimitFailsBeforeItEnds() {
        FramingException e = catchThrowableOfType(
                FramingException.class, () -> feed(new JsonValueDecoder(10), "{\"aaaaaaaaaaaaaaa", 4, false));
        assertThat(e.error().code()).isEqualTo(-32006);
        assertThat(e.error().data().get("limit").asInt()).isEqualTo(10);
        assertThat(e.getMessage()).isEqualTo("JSON value length (12) exceeds the allowed maximum (10)");
        assertThat(everyChunking("{\"a\":12}{\"b\":1}", false, 8)).containsExactly("{\"a\":12}", "{\"b\":1}");
        e = catchThrowableOfType(
                FramingException.class, () -> feed(new JsonValueDecoder(8), "{\"a\":123}", 100, false));
        assertThat(e.getMessage()).isEqualTo("JSON value length (9) exceeds the allowed maximum (8)");
        e = catchThrowableOfType(
                FramingException.class, () -> feed(new JsonValueDecoder(5), "garbage garbage", 3, false));
        assertThat(e.getMessage()).startsWith("line length");
    }
}
