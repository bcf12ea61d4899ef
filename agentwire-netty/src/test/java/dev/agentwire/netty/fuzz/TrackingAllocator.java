package dev.agentwire.netty.fuzz;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * An allocator that remembers every buffer it hands out, so that a test can check after each input that all of
 * them were released: a leak is caught at the input that caused it, without waiting for a GC as Netty's leak
 * detector must (which still runs, paranoid, over the same buffers). Not thread safe: for {@code EmbeddedChannel}.
 */
public final class TrackingAllocator extends AbstractByteBufAllocator {

    private final List<ByteBuf> allocated = new ArrayList<>();

    public TrackingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return track(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity));
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return track(new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity));
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    private ByteBuf track(ByteBuf buf) {
        allocated.add(buf);
        return buf;
    }

    /** How many of the buffers handed out since the last {@link #reset} are still referenced. */
    public int unreleased() {
        int n = 0;
        for (ByteBuf b : allocated) {
            if (b.refCnt() > 0) {
                n++;
            }
        }
        return n;
    }

    /** Forgets the buffers handed out so far (releasing any still referenced, so that one leak is told once). */
    public void reset() {
        for (ByteBuf b : allocated) {
            if (b.refCnt() > 0) {
                b.release(b.refCnt());
            }
        }
        allocated.clear();
    }
}
