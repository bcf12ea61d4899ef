package dev.agentwire.protocol.fuzz;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A fast source of random choices, seeded by jqwik. jqwik draws one {@code long} per try (cheap, and
 * reproducible from its reported seed); everything else in an input is drawn here, because composing jqwik
 * arbitraries costs hundreds of microseconds per input and a long run needs millions of inputs. Failing inputs
 * are made small by {@link Minimizer} instead of jqwik's shrinking. Not thread safe.
 */
public final class Gen {

    private final SplittableRandom random;

    public Gen(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** A number in {@code [min, max]}. */
    public int between(int min, int max) {
        return min == max ? min : min + random.nextInt(max - min + 1);
    }

    /** Any int. */
    public int anyInt() {
        return random.nextInt();
    }

    /** Any long. */
    public long anyLong() {
        return random.nextLong();
    }

    /** True with probability {@code percent}/100. */
    public boolean chance(int percent) {
        return random.nextInt(100) < percent;
    }

    /** One of {@code values}, uniformly. */
    public <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** One of {@code values}, uniformly. */
    @SafeVarargs
    public final <T> T pick(T... values) {
        return values[random.nextInt(values.length)];
    }

    /** An index into {@code weights}, chosen with those weights. */
    public int weighted(int... weights) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int r = random.nextInt(total);
        for (int i = 0; i < weights.length; i++) {
            r -= weights[i];
            if (r < 0) {
                return i;
            }
        }
        throw new IllegalStateException();
    }

    /** Up to {@code maxLength} random bytes. */
    public byte[] bytes(int maxLength) {
        byte[] out = new byte[between(0, maxLength)];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) random.nextInt(256);
        }
        return out;
    }

    /** Up to {@code maxLength} characters: mostly ASCII, some Latin-1, CJK, emoji and escapes-to-be. */
    public String string(int maxLength) {
        int n = between(0, maxLength);
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            switch (weighted(12, 2, 1, 1, 1)) {
                case 0 -> s.append((char) between(0x20, 0x7E));
                case 1 -> s.append((char) between(0xA0, 0xFF));
                case 2 -> s.append((char) between(0x4E00, 0x4FFF));
                case 3 -> s.append("\ud83d\ude00");
                default -> s.append(pick('"', '\\', '\n', '\t', '\u0000', '\u2028'));
            }
        }
        return s.toString();
    }
}
