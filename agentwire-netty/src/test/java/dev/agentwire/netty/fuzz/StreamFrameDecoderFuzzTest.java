package dev.agentwire.netty.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentwire.netty.StreamFailure;
import dev.agentwire.netty.StreamFrameDecoder;
import dev.agentwire.protocol.Frame;
import dev.agentwire.protocol.fuzz.Chunking;
import dev.agentwire.protocol.fuzz.Failures;
import dev.agentwire.protocol.fuzz.FuzzBudget;
import dev.agentwire.protocol.fuzz.Gen;
import dev.agentwire.protocol.fuzz.Input;
import dev.agentwire.protocol.fuzz.Reference;
import dev.agentwire.protocol.fuzz.Streams;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * {@link StreamFrameDecoder} on an {@link EmbeddedChannel}, fed mutated streams in random reads (heap, direct,
 * composite and sliced buffers): it passes on exactly the frames the protocol's reference decoding finds, then
 * at most one {@link StreamFailure} ({@code -32006}) and nothing after it; no exception reaches the end of the
 * pipeline; and every buffer is released after each input (checked on the allocator, and by Netty's paranoid
 * leak detector).
 */
@AddLifecycleHook(FuzzBudget.class)
class StreamFrameDecoderFuzzTest {

    private static final TrackingAllocator ALLOC = new TrackingAllocator();

    /** How one read's bytes are held. */
    enum Holder {
        HEAP,
        DIRECT,
        COMPOSITE,
        SLICE
    }

    @Property(tries = 8_000, shrinking = ShrinkingMode.OFF)
    void passesOnTheReferenceFramesThenAtMostOneFailure(@ForAll long seed) {
        Gen g = new Gen(seed);
        Streams.Stream s = Streams.any(g);
        Chunking chunking = Chunking.random(g);
        Holder holder = g.pick(Holder.values());
        boolean trailing = g.chance(30);
        Failures.check(s.input(), input -> check(s.with(input), chunking, holder, trailing));
    }

    /**
     * @param moreAfter whether to feed the stream a second time after it ends (bytes after a failure must be
     *     dropped; after a clean end they decode again)
     */
    static void check(Streams.Stream s, Chunking chunking, Holder holder, boolean moreAfter) {
        ALLOC.reset();
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(ALLOC);
        ch.pipeline().addLast(new StreamFrameDecoder(s.framing().newDecoder(s.max())));
        byte[] bytes = s.input().bytes();
        if (moreAfter) {
            byte[] twice = new byte[bytes.length * 2];
            System.arraycopy(bytes, 0, twice, 0, bytes.length);
            System.arraycopy(bytes, 0, twice, bytes.length, bytes.length);
            bytes = twice;
        }
        for (byte[] chunk : chunking.split(bytes, 256)) {
            ch.writeInbound(hold(chunk, holder)); // rethrows what reached the end of the pipeline
        }
        List<Reference.Unit> units = new ArrayList<>();
        List<StreamFailure> failures = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            if (o instanceof Frame f) {
                assertThat(failures).as("a frame after the failure").isEmpty();
                units.add(new Reference.Unit(f.type(), new Input(f.payload())));
            } else {
                failures.add((StreamFailure) o);
            }
        }
        ch.finishAndReleaseAll();
        Reference.Outcome expected = Reference.decode(s.framing(), s.max(), bytes);
        assertThat(units).isEqualTo(expected.units());
        assertThat(failures).hasSize(expected.tooLarge() ? 1 : 0);
        failures.forEach(f -> {
            assertThat(f.error().code()).isEqualTo(-32006);
            assertThat(f.error().data().path("limit").asInt()).isEqualTo(s.max());
        });
        assertThat(ALLOC.unreleased()).as("buffers not released").isZero();
    }

    private static ByteBuf hold(byte[] chunk, Holder holder) {
        return switch (holder) {
            case HEAP -> ALLOC.heapBuffer(chunk.length).writeBytes(chunk);
            case DIRECT -> ALLOC.directBuffer(chunk.length).writeBytes(chunk);
            case COMPOSITE -> {
                int half = chunk.length / 2;
                CompositeByteBuf c = ALLOC.compositeBuffer();
                c.addComponent(true, ALLOC.heapBuffer().writeBytes(chunk, 0, half));
                c.addComponent(true, ALLOC.directBuffer().writeBytes(chunk, half, chunk.length - half));
                yield c;
            }
            case SLICE -> {
                ByteBuf wider =
                        ALLOC.heapBuffer(chunk.length + 8).writeLong(-1L).writeBytes(chunk);
                ByteBuf slice = wider.retainedSlice(8, chunk.length);
                wider.release();
                yield slice;
            }
        };
    }
}
