package dev.agentwire.protocol.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentwire.protocol.Frame;
import dev.agentwire.protocol.Framing;
import dev.agentwire.protocol.FramingException;
import dev.agentwire.protocol.RpcError;
import dev.agentwire.protocol.StreamDecoder;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * The three stream decoders against {@link Reference}: whatever the input and however it is cut into reads
 * (1 byte up to all of it, heap or direct, at any offset), a decoder emits the reference's units in order, and
 * breaks exactly when the reference does, with {@code -32006} naming the limit; it never throws anything else,
 * and never reads past what it was given.
 */
@AddLifecycleHook(FuzzBudget.class)
class StreamDecoderFuzzTest {

    @Property(tries = 25_000, shrinking = ShrinkingMode.OFF)
    void ndjsonDecodesLikeTheReferenceInAnyChunking(@ForAll long seed) {
        fuzz(new Gen(seed), Framing.NDJSON);
    }

    @Property(tries = 17_000, shrinking = ShrinkingMode.OFF)
    void lengthPrefixedDecodesLikeTheReferenceInAnyChunking(@ForAll long seed) {
        fuzz(new Gen(seed), Framing.LENGTH_PREFIXED);
    }

    @Property(tries = 17_000, shrinking = ShrinkingMode.OFF)
    void typedDecodesLikeTheReferenceInAnyChunking(@ForAll long seed) {
        fuzz(new Gen(seed), Framing.TYPED);
    }

    /**
     * Found by {@link #ndjsonDecodesLikeTheReferenceInAnyChunking}: a line as long as the limit whose CR had
     * arrived but not its LF was refused as too long (the pending CR counted towards the line), so the same
     * stream passed or broke depending on where a read ended.
     */
    @Example
    void aLineAtTheLimitIsAcceptedWhenItsCrArrivesBeforeItsLf() {
        check(new Streams.Stream(Framing.NDJSON, 1, Input.of("\\r\\r")), Chunking.whole(), Placement.HEAP);
        check(new Streams.Stream(Framing.NDJSON, 1, Input.of(" \\r\\n")), Chunking.bytewise(), Placement.HEAP);
        check(new Streams.Stream(Framing.NDJSON, 3, Input.of("[1]\\r\\n")), Chunking.bytewise(), Placement.DIRECT);
    }

    private static void fuzz(Gen g, Framing framing) {
        Streams.Stream s = Streams.of(g, framing);
        Chunking chunking = Chunking.random(g);
        Placement placement = g.pick(Placement.values());
        Failures.check(s.input(), input -> check(s.with(input), chunking, placement));
    }

    /** Where the decoder finds the bytes of a read. */
    enum Placement {
        HEAP,
        HEAP_AT_OFFSET,
        DIRECT
    }

    static void check(Streams.Stream s, Chunking chunking, Placement placement) {
        Reference.Outcome expected =
                Reference.decode(s.framing(), s.max(), s.input().bytes());
        Run run = run(s.framing().newDecoder(s.max()), s.input().bytes(), chunking, placement);
        assertThat(run.units).as("units").isEqualTo(expected.units());
        assertThat(run.failure != null).as("broke on a unit over the limit").isEqualTo(expected.tooLarge());
        if (run.failure != null) {
            assertThat(run.failure.code()).isEqualTo(-32006);
            assertThat(run.failure.reason()).isEqualTo("too_large");
            assertThat(run.failure.data().path("limit").asLong()).isEqualTo(s.max());
            assertThat(run.failure.data().path("length").asLong()).isGreaterThan(s.max());
            assertThat(run.failure.message())
                    .matches(
                            "(line|message|frame) length \\(\\d+\\) exceeds the allowed maximum \\(" + s.max() + "\\)");
        }
    }

    /** The units a decoder emitted and the error it broke with, if it did. */
    record Run(List<Reference.Unit> units, RpcError failure) {}

    /**
     * Feeds {@code chunks} the way a transport does: each read is appended to what the decoder left (in a buffer
     * that grows and compacts, as a cumulation does), and the decoder sees everything unread.
     */
    static Run run(StreamDecoder decoder, byte[] bytes, Chunking chunking, Placement placement) {
        List<Reference.Unit> units = new ArrayList<>();
        Cumulation pending = new Cumulation(placement);
        int from = 0;
        for (int end : chunking.ends(bytes.length, 4096)) {
            ByteBuffer in = pending.append(bytes, from, end - from);
            from = end;
            int start = in.position();
            int limit = in.limit();
            try {
                decoder.decode(in, (Frame f) -> units.add(new Reference.Unit(f.type(), new Input(f.payload()))));
            } catch (FramingException e) {
                return new Run(units, e.error());
            }
            if (in.limit() != limit || in.position() < start || in.position() > limit) {
                throw new AssertionError("the decoder moved its buffer from position " + start + ", limit " + limit
                        + " to position " + in.position() + ", limit " + in.limit());
            }
            pending.consumed(in.position() - start);
        }
        return new Run(units, null);
    }

    /** The unread bytes, in a heap array (seen at offset 0 or not) or a direct buffer. */
    private static final class Cumulation {
        private final Placement placement;
        private ByteBuffer store;
        private int start = 3; // never 0 at first, so that HEAP_AT_OFFSET starts off 0
        private int end = 3;

        Cumulation(Placement placement) {
            this.placement = placement;
            this.store = allocate(16);
        }

        private ByteBuffer allocate(int capacity) {
            return placement == Placement.DIRECT ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
        }

        /** Appends {@code length} bytes of {@code bytes}; returns the unread bytes as the decoder sees them. */
        ByteBuffer append(byte[] bytes, int from, int length) {
            int unread = end - start;
            if (store.capacity() - end < length) {
                ByteBuffer bigger = allocate(Math.max(store.capacity() * 2, unread + length + 8));
                bigger.put(3, store, start, unread);
                store = bigger;
                start = 3;
                end = 3 + unread;
            }
            store.put(end, bytes, from, length);
            end += length;
            ByteBuffer view = store.duplicate().limit(end).position(start);
            return placement == Placement.HEAP_AT_OFFSET ? view : view.slice();
        }

        void consumed(int n) {
            start += n;
        }
    }
}
