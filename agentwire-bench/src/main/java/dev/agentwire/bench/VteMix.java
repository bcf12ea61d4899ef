package dev.agentwire.bench;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * A vtebench-like stream of terminal output for a screen of a given size, made from a fixed seed: dense text in
 * 256-colour and true-colour SGR, scrolling within a DECSTBM region, cursor motion (CUP, CUU/CUD/CUF/CUB) with line
 * erases, and plain lines between. ASCII only, so its bytes are its characters.
 */
final class VteMix {

    private static final String ESC = "\u001b[";

    private final Random random;
    private final int cols;
    private final int rows;
    private final StringBuilder out = new StringBuilder();

    private VteMix(long seed, int cols, int rows) {
        this.random = new Random(seed);
        this.cols = cols;
        this.rows = rows;
    }

    /** Writes at least {@code size} bytes of the mix for a {@code cols × rows} screen to {@code file}. */
    static void write(Path file, long size, int cols, int rows) throws IOException {
        VteMix mix = new VteMix(42, cols, rows);
        try (Writer w = Files.newBufferedWriter(file)) {
            long written = 0;
            while (written < size) {
                String part = mix.next();
                w.write(part);
                written += part.length();
            }
            w.write(ESC + "0m" + ESC + "r\r\n");
        }
    }

    /** The next piece: one of the four kinds, a few KB. */
    String next() {
        out.setLength(0);
        switch (random.nextInt(4)) {
            case 0 -> denseColours();
            case 1 -> scrollingRegion();
            case 2 -> cursorMotion();
            default -> plainLines();
        }
        return out.toString();
    }

    /** A screenful of words, each in its own colour (256-colour or true colour, some bold). */
    private void denseColours() {
        for (int line = 0; line < rows; line++) {
            int col = 0;
            while (col < cols - 12) {
                if (random.nextBoolean()) {
                    out.append(ESC).append("38;5;").append(random.nextInt(256)).append('m');
                } else {
                    out.append(ESC)
                            .append(random.nextBoolean() ? "1;" : "")
                            .append("38;2;")
                            .append(random.nextInt(256))
                            .append(';')
                            .append(random.nextInt(256))
                            .append(';')
                            .append(random.nextInt(256))
                            .append(";48;5;")
                            .append(random.nextInt(256))
                            .append('m');
                }
                col += word(2 + random.nextInt(9)) + 1;
                out.append(' ');
            }
            out.append(ESC).append("0m\r\n");
        }
    }

    /** A region of the middle of the screen scrolled by many line feeds, then reset to the whole screen. */
    private void scrollingRegion() {
        int top = 2 + random.nextInt(rows / 4);
        int bottom = rows - 1 - random.nextInt(rows / 4);
        out.append(ESC).append(top).append(';').append(bottom).append('r');
        out.append(ESC).append(bottom).append(";1H");
        for (int i = 0; i < rows * 2; i++) {
            out.append(ESC).append(31 + random.nextInt(7)).append('m');
            word(20 + random.nextInt(cols - 30));
            out.append(ESC).append("0m\n\r");
        }
        // Scroll the region in reverse too: cursor to its top, reverse index.
        out.append(ESC).append(top).append(";1H");
        for (int i = 0; i < rows / 2; i++) {
            out.append("\u001bM");
            word(10 + random.nextInt(30));
            out.append('\r');
        }
        out.append(ESC).append('r').append(ESC).append(rows).append(";1H");
    }

    /** Text put all over the screen: absolute and relative cursor moves, line erases. */
    private void cursorMotion() {
        for (int i = 0; i < rows * 3; i++) {
            switch (random.nextInt(4)) {
                case 0 ->
                    out.append(ESC)
                            .append(1 + random.nextInt(rows))
                            .append(';')
                            .append(1 + random.nextInt(cols - 20))
                            .append('H');
                case 1 -> out.append(ESC).append(1 + random.nextInt(5)).append("AB".charAt(random.nextInt(2)));
                case 2 -> out.append(ESC).append(1 + random.nextInt(10)).append("CD".charAt(random.nextInt(2)));
                default -> out.append(ESC).append(random.nextInt(3)).append('K');
            }
            word(5 + random.nextInt(15));
        }
        out.append(ESC).append(rows).append(";1H\r\n");
    }

    /** A screenful of plain lines. */
    private void plainLines() {
        for (int line = 0; line < rows; line++) {
            word(40 + random.nextInt(cols - 40));
            out.append("\r\n");
        }
    }

    /** Appends {@code n} letters; {@code n}. */
    private int word(int n) {
        for (int i = 0; i < n; i++) {
            out.append((char) ('a' + random.nextInt(26)));
        }
        return n;
    }
}
