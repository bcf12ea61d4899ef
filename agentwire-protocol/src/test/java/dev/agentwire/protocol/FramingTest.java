package dev.agentwire.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FramingTest {

    /** Feeds {@code bytes} to the decoder in chunks of {@code chunk}, accumulating like a transport does. */
    private static List<Frame> feed(StreamDecoder d, byte[] bytes, int chunk) {
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
        return out;
    }

    private static List<String> texts(List<Frame> frames) {
        return frames.stream().map(f -> new String(f.payload(), UTF_8)).toList();
    }

    @Test
    void sniffsTheFirstByte() {
        assertThat(Framing.sniff('{', false)).contains(Framing.NDJSON);
        assertThat(Framing.sniff('[', false)).contains(Framing.NDJSON);
        assertThat(Framing.sniff('\n', false)).contains(Framing.NDJSON);
        assertThat(Framing.sniff(' ', false)).contains(Framing.NDJSON);
        assertThat(Framing.sniff(0x00, false)).contains(Framing.LENGTH_PREFIXED);
        assertThat(Framing.sniff(0x01, false)).contains(Framing.TYPED);
        assertThat(Framing.sniff(0x3F, false)).contains(Framing.TYPED);
        assertThat(Framing.sniff('G', true)).contains(Framing.HTTP);
        assertThat(Framing.sniff('G', false)).isEmpty();
        assertThat(Framing.sniff('x', true)).isEmpty();
        assertThat(Framing.sniff(0xFF, true)).isEmpty();
        assertThat(Framing.describeUnknown('x', false)).contains("'x' (0x78)").doesNotContain("HTTP");
    }

    @Test
    void ndjsonSplitsLinesAcrossChunksAndSkipsBlankOnes() {
        byte[] in = "{\"a\":1}\r\n\n  \n{\"b\":2}\n{\"c\":".getBytes(UTF_8);
        for (int chunk : new int[] {1, 3, 64}) {
            NdjsonDecoder d = new NdjsonDecoder(100);
            assertThat(texts(feed(d, in, chunk))).containsExactly("{\"a\":1}", "{\"b\":2}");
        }
    }

    @Test
    void ndjsonLineOverTheLimitFailsBeforeTheNewlineArrives() {
        NdjsonDecoder d = new NdjsonDecoder(10);
        FramingException e =
                catchThrowableOfType(FramingException.class, () -> feed(d, "{\"aaaaaaaaaaaaaaa".getBytes(UTF_8), 4));
        assertThat(e.error().code()).isEqualTo(-32006);
        assertThat(e.error().data().get("limit").asInt()).isEqualTo(10);
        assertThat(e.getMessage()).contains("exceeds the allowed maximum (10)");
    }

    @Test
    void ndjsonLineExactlyAtTheLimitPasses() {
        NdjsonDecoder d = new NdjsonDecoder(7);
        assertThat(texts(feed(d, "{\"a\":1}\n".getBytes(UTF_8), 2))).containsExactly("{\"a\":1}");
    }

    @Test
    void lengthPrefixedDecodesAcrossChunks() {
        byte[] a = FrameEncoding.lengthPrefixed("{\"a\":1}".getBytes(UTF_8));
        byte[] b = FrameEncoding.lengthPrefixed("[]".getBytes(UTF_8));
        byte[] both = ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
        assertThat(texts(feed(new LengthPrefixedDecoder(100), both, 3))).containsExactly("{\"a\":1}", "[]");
    }

    @Test
    void typedFramesKeepTheirTypeIncludingUnknownOnes() {
        byte[] a = FrameEncoding.typed(FrameType.HEARTBEAT.code(), new byte[0]);
        byte[] b = FrameEncoding.typed(0x3E, new byte[] {1, 2});
        byte[] both = ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
        List<Frame> frames = feed(new TypedFrameDecoder(100), both, 2);
        assertThat(frames).extracting(Frame::type).containsExactly(0x07, 0x3E);
        assertThat(frames.get(0).kind()).contains(FrameType.HEARTBEAT);
        assertThat(frames.get(1).kind()).isEmpty();
    }

    @Test
    void aFrameDeclaring4GiBFailsFromItsHeaderAlone() {
        ByteBuffer header =
                ByteBuffer.allocate(5).put((byte) 0x10).putInt(0xFFFFFFFF).flip();
        FramingException e = catchThrowableOfType(
                FramingException.class, () -> new TypedFrameDecoder(Framing.DEFAULT_MAX_BYTES).decode(header, f -> {}));
        assertThat(e.error().code()).isEqualTo(-32006);
        assertThat(e.getMessage()).contains("(4294967295)").contains("(16777216)");
        ByteBuffer prefix = ByteBuffer.allocate(4).putInt(0x7FFFFFFF).flip();
        assertThat(catchThrowableOfType(
                                FramingException.class, () -> new LengthPrefixedDecoder(1024).decode(prefix, f -> {}))
                        .error()
                        .code())
                .isEqualTo(-32006);
    }

    @Test
    void everyFramingEncodesWhatItsDecoderReads() {
        byte[] json = "{\"jsonrpc\":\"2.0\",\"method\":\"x\"}".getBytes(UTF_8);
        for (Framing f : List.of(Framing.NDJSON, Framing.LENGTH_PREFIXED, Framing.TYPED)) {
            List<Frame> frames = feed(f.newDecoder(1000), FrameEncoding.encode(f, json), 5);
            assertThat(frames).singleElement().satisfies(fr -> {
                assertThat(fr.kind()).contains(FrameType.JSON_RPC);
                assertThat(fr.payload()).isEqualTo(json);
            });
        }
    }

    @Test
    void frameTypesHaveTheSeedsCodes() {
        assertThat(FrameType.of(0x01)).contains(FrameType.STDIN_DATA);
        assertThat(FrameType.of(0x06)).contains(FrameType.ERROR);
        assertThat(FrameType.of(0x10)).contains(FrameType.JSON_RPC);
        assertThat(FrameType.of(0x08)).isEmpty();
    }
}
