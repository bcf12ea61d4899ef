package dev.agentwire.protocol.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How an input is cut into reads: chunk {@code i} has {@code sizes[i % n]} bytes (the last one what is left);
 * no sizes means the whole input in one read. Sizes run from 1 byte up, so header and line boundaries fall
 * anywhere.
 *
 * @param sizes the chunk sizes, repeated in turn; each at least 1
 */
public record Chunking(List<Integer> sizes) {

    public Chunking {
        sizes = List.copyOf(sizes);
    }

    /** The whole input in one read. */
    public static Chunking whole() {
        return new Chunking(List.of());
    }

    /** One byte per read. */
    public static Chunking bytewise() {
        return new Chunking(List.of(1));
    }

    /** Whole, byte by byte, small random cuts, or large ones. */
    public static Chunking random(Gen g) {
        return switch (g.weighted(2, 1, 4, 2)) {
            case 0 -> whole();
            case 1 -> bytewise();
            case 2 -> sizes(g, 12, 9);
            default -> sizes(g, 4, 4096);
        };
    }

    private static Chunking sizes(Gen g, int count, int max) {
        int n = g.between(1, count);
        List<Integer> sizes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            sizes.add(g.between(1, max));
        }
        return new Chunking(sizes);
    }

    /**
     * Where the reads of an input of {@code length} bytes end: increasing, the last one {@code length}. After
     * {@code maxReads - 1} reads the rest comes in one (tiny reads of a long input cost time and find nothing the
     * first ones did not).
     */
    public int[] ends(int length, int maxReads) {
        if (length == 0) {
            return new int[0];
        }
        if (sizes.isEmpty()) {
            return new int[] {length};
        }
        int[] out = new int[16];
        int n = 0;
        for (int at = 0, i = 0; at < length; i++) {
            at = i == maxReads - 1 ? length : Math.min(length, at + sizes.get(i % sizes.size()));
            if (n == out.length) {
                out = Arrays.copyOf(out, n * 2);
            }
            out[n++] = at;
        }
        return Arrays.copyOf(out, n);
    }

    /** {@code bytes} cut into at most {@code maxReads} reads; never an empty one, none for an empty input. */
    public List<byte[]> split(byte[] bytes, int maxReads) {
        List<byte[]> out = new ArrayList<>();
        int from = 0;
        for (int end : ends(bytes.length, maxReads)) {
            out.add(Arrays.copyOfRange(bytes, from, end));
            from = end;
        }
        return out;
    }

    @Override
    public String toString() {
        return sizes.isEmpty() ? "whole" : "chunks of " + sizes;
    }
}
