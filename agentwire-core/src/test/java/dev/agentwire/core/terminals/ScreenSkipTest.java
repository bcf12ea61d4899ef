package dev.agentwire.core.terminals;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The emulator skips plain text that would scroll off unseen: the screen it ends in is the same, character for
 * character and cursor for cursor, as the one that drew every line. Checked against JediTerm itself on random
 * output (wrapping lines, tabs, backspaces, bare line feeds, wide characters) after random screens (colours,
 * cursor moves, erases, the alternate screen).
 */
class ScreenSkipTest {

    private static final int COLS = 40;
    private static final int ROWS = 10;

    /**
     * Screens are filled before their emulator starts, so that it reads runs of text the same way every time:
     * JediTerm may draw a wide character differently when a run is split where the output paused.
     */
    private static Screen screen(long skipAfter) {
        return new Screen(COLS, ROWS, Screen.ignoring(a -> {}), skipAfter);
    }

    private static final String[] ESCAPES = {
        "\u001b[31m",
        "\u001b[0m",
        "\u001b[1;32m",
        "\u001b[5;10H",
        "\u001b[H",
        "\u001b[2J",
        "\u001b[K",
        "\u001b[3A",
        "\u001b[?1049h",
        "\u001b[?1049l",
        "\u001b[?7l",
        "\u001b[?7h",
        "\u001b[20C",
        "\u001b[?2004h",
        "\u001b]0;title\u0007"
    };

    /** Screens a program may leave before a flood: text, escapes, and never a scrolling region. */
    private static String before(Random r) {
        StringBuilder b = new StringBuilder();
        for (int i = 0, n = r.nextInt(30); i < n; i++) {
            b.append(r.nextBoolean() ? ESCAPES[r.nextInt(ESCAPES.length)] : line(r));
        }
        return b.toString();
    }

    /** A line of plain text: letters, sometimes a tab, a backspace or a wide character; up to 3 screens wide. */
    private static String line(Random r) {
        StringBuilder b = new StringBuilder();
        for (int i = 0, n = r.nextInt(3 * COLS); i < n; i++) {
            int k = r.nextInt(40);
            b.append(k == 0 ? '\t' : k == 1 ? '\b' : k == 2 ? '\u4e2d' : k == 3 ? ' ' : (char) ('a' + r.nextInt(26)));
        }
        return b.toString();
    }

    /** A flood of lines, mostly ending in CR LF (a PTY's ONLCR), some in a bare LF, cut into random chunks. */
    private static List<char[]> flood(Random r, int lines) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            b.append(line(r)).append(r.nextInt(8) == 0 ? "\n" : "\r\n");
        }
        if (r.nextBoolean()) {
            b.append(ESCAPES[r.nextInt(ESCAPES.length)]).append(line(r)); // something not plain after it
        }
        List<char[]> chunks = new ArrayList<>();
        char[] all = b.toString().toCharArray();
        for (int at = 0; at < all.length; ) {
            int n = Math.min(all.length - at, 1 + r.nextInt(600));
            chunks.add(java.util.Arrays.copyOfRange(all, at, at + n));
            at += n;
        }
        return chunks;
    }

    private static void feed(Screen s, List<char[]> chunks) {
        for (char[] c : chunks) {
            s.feed(new String(c));
        }
    }

    private static void assertSame(Screen drawn, Screen skipped, String what) throws InterruptedException {
        drawn.settle(30_000);
        skipped.settle(30_000);
        assertThat(skipped.lines()).as(what).isEqualTo(drawn.lines());
        assertThat(skipped.cursor()).as(what + ": cursor").isEqualTo(drawn.cursor());
    }

    @Test
    void whatIsLeftAfterTheCutDrawsTheSameScreen() throws Exception {
        for (long seed = 1; seed <= 150; seed++) {
            Random r = new Random(seed);
            String first = before(r);
            List<char[]> chunks = flood(r, 3 * ROWS + r.nextInt(60));
            // The emulator may be inside the first chunk: what it has drawn of it is not looked at.
            int from = r.nextInt(chunks.get(0).length);
            Screen.Look look = Screen.findCut(chunks, from, ROWS);
            int[] cut = {look.chunk(), look.offset()};
            assertThat(look.found())
                    .as("seed %d: a flood of %d+ lines can be cut", seed, 3 * ROWS)
                    .isTrue();
            assertThat(cut[0] > 0 || cut[1] >= from).isTrue();
            List<char[]> rest = new ArrayList<>();
            rest.add(java.util.Arrays.copyOf(chunks.get(0), from));
            char[] at = chunks.get(cut[0]);
            assertThat(at[cut[1]]).isEqualTo('\r');
            rest.add(java.util.Arrays.copyOfRange(at, cut[1], at.length));
            rest.addAll(chunks.subList(cut[0] + 1, chunks.size()));
            try (Screen drawn = screen(Long.MAX_VALUE);
                    Screen skipped = screen(Long.MAX_VALUE)) {
                drawn.feed(first);
                skipped.feed(first);
                feed(drawn, chunks);
                feed(skipped, rest);
                drawn.start();
                skipped.start();
                assertSame(drawn, skipped, "seed " + seed);
            }
        }
    }

    @Test
    void theEmulatorSkipsAFloodItIsBehindOnAndEndsOnTheSameScreen() throws Exception {
        Random r = new Random(42);
        List<char[]> chunks = flood(r, 5_000);
        try (Screen drawn = screen(Long.MAX_VALUE);
                Screen skipping = screen(64 << 10)) {
            drawn.feed("$ cat big.txt\r\n");
            skipping.feed("$ cat big.txt\r\n");
            feed(drawn, chunks);
            feed(skipping, chunks);
            drawn.start();
            skipping.start(); // it finds everything queued: far behind
            assertSame(drawn, skipping, "a 5000-line flood");
            assertThat(skipping.skipped()).isGreaterThan(100_000);
            assertThat(drawn.skipped()).isZero();
        }
    }

    @Test
    void theEmulatorSkipsInsideTheChunkItIsDrawing() throws Exception {
        Random r = new Random(9);
        StringBuilder big = new StringBuilder();
        flood(r, 2_000).forEach(big::append);
        big.append("\u001b[0m"); // the first look stops here
        flood(r, 2_000).forEach(big::append);
        String oneLongLine = "x".repeat(80_000); // behind by more than 64K, with no cut in it
        try (Screen drawn = screen(Long.MAX_VALUE);
                Screen skipping = screen(64 << 10)) {
            for (Screen s : List.of(drawn, skipping)) {
                s.feed(big.toString());
                for (int i = 0; i < oneLongLine.length(); i += 1000) {
                    s.feed(oneLongLine.substring(i, i + 1000));
                }
                s.feed("\r\n$ ");
            }
            drawn.start();
            skipping.start();
            assertSame(drawn, skipping, "cuts in the chunk being drawn");
            assertThat(skipping.skipped()).isGreaterThan(100_000);
        }
    }

    @Test
    void aScreenFedAsOutputComesGathersSkipsAndStillShowsTheLastLinesAndRingsTheBell() throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            text.append("line ").append(i).append(" of a build log that goes on and on\r\n");
        }
        text.append("\u0007done\r\n$ ");
        java.util.concurrent.atomic.AtomicInteger bells = new java.util.concurrent.atomic.AtomicInteger();
        Screen.Events events = new Screen.Events() {
            @Override
            public void title(String title) {}

            @Override
            public void bell() {
                bells.incrementAndGet();
            }

            @Override
            public void answer(String text) {}
        };
        try (Screen live = new Screen(COLS, ROWS, events)) {
            live.start();
            for (int at = 0; at < text.length(); at += 4000) {
                live.feed(text.substring(at, Math.min(text.length(), at + 4000)));
            }
            live.settle(30_000);
            List<String> lines = live.lines();
            assertThat(lines.get(ROWS - 1)).isEqualTo("$");
            assertThat(lines.get(ROWS - 2)).isEqualTo("done");
            assertThat(lines.get(ROWS - 3)).isEqualTo("nd on"); // 45 characters on 40 columns: wrapped
            assertThat(lines.get(ROWS - 4)).isEqualTo("line 19999 of a build log that goes on a");
            assertThat(lines.get(ROWS - 6)).isEqualTo("line 19998 of a build log that goes on a");
            assertThat(bells.get()).isEqualTo(1);
        }
    }

    @Test
    void aScrollingRegionWithANumberTooLargeForAnIntIsNotACutAndDoesNotThrow() {
        // Any program can print ESC [ 99999999999 ; 1 r (cat of an untrusted file). Parsed as an int, it threw on
        // the emulator's thread, which stopped the screen for good and, 4 M characters later, the program.
        assertThat(Screen.scrollParameter("99999999999")).isEqualTo(-1);
        assertThat(Screen.scrollParameter("1x")).isEqualTo(-1);
        assertThat(Screen.scrollParameter("24")).isEqualTo(24);
    }

    @Test
    void nothingIsSkippedInsideAScrollingRegionOrPastABell() throws Exception {
        Random r = new Random(7);
        List<char[]> chunks = flood(r, 2_000);
        try (Screen drawn = screen(Long.MAX_VALUE);
                Screen region = screen(0)) {
            // A status line program: lines 1-8 scroll, 9 and 10 stay. Skipping would leave text on 9-10 out.
            String setup = "\u001b[9;1Hstatus\u001b[1;8r\u001b[8;1H";
            drawn.feed(setup);
            region.feed(setup);
            feed(drawn, chunks);
            feed(region, chunks);
            drawn.start();
            region.start();
            assertSame(drawn, region, "with a scrolling region");
            assertThat(region.skipped()).isZero();
        }
        List<char[]> bells = new ArrayList<>(List.of("\u0007".toCharArray()));
        bells.addAll(chunks);
        assertThat(Screen.findCut(bells, 0, ROWS).found())
                .as("a bell first: nothing is plain")
                .isFalse();
        assertThat(Screen.findCut(List.of("abc\r\ndef\r\n".toCharArray()), 0, ROWS)
                        .found())
                .as("too few lines to hide anything")
                .isFalse();
    }

    /**
     * Output like vtebench's: coloured text, cursor moves and erases, scrolling regions and reverse index, and
     * plain lines, in random pieces; each piece leaves the whole screen as the scrolling region.
     */
    private static String mix(Random r, int pieces) {
        StringBuilder b = new StringBuilder();
        for (int p = 0; p < pieces; p++) {
            switch (r.nextInt(5)) {
                case 0 -> {
                    for (int i = 0, n = 1 + r.nextInt(2 * ROWS); i < n; i++) {
                        b.append("\u001b[3").append(r.nextInt(8)).append(r.nextBoolean() ? ";1m" : "m");
                        b.append(line(r)).append("\u001b[0m").append(r.nextInt(8) == 0 ? "\n" : "\r\n");
                    }
                }
                case 1 -> {
                    int top = 1 + r.nextInt(ROWS / 2);
                    int bottom = top + 1 + r.nextInt(ROWS - top);
                    b.append("\u001b[").append(top).append(';').append(bottom).append('r');
                    b.append("\u001b[").append(bottom).append(";1H");
                    for (int i = 0, n = r.nextInt(2 * ROWS); i < n; i++) {
                        b.append(line(r)).append("\r\n");
                    }
                    b.append("\u001b[").append(top).append(";1H\u001bMup\u001bMup");
                    b.append(r.nextBoolean() ? "\u001b[r" : "\u001b[1;" + ROWS + "r");
                }
                case 2 -> {
                    for (int i = 0, n = r.nextInt(20); i < n; i++) {
                        b.append("\u001b[")
                                .append(1 + r.nextInt(ROWS + 2))
                                .append(';')
                                .append(1 + r.nextInt(COLS + 2))
                                .append(r.nextBoolean() ? 'H' : 'f');
                        b.append("\u001b[").append(r.nextInt(4)).append("ABCDEFGdKJ".charAt(r.nextInt(10)));
                        b.append((char) ('a' + r.nextInt(26)));
                    }
                }
                default -> {
                    for (int i = 0, n = r.nextInt(3 * ROWS); i < n; i++) {
                        b.append(line(r)).append("\r\n");
                    }
                }
            }
        }
        return b.toString();
    }

    private static List<char[]> chunks(Random r, String text) {
        List<char[]> chunks = new ArrayList<>();
        char[] all = text.toCharArray();
        for (int at = 0; at < all.length; ) {
            int n = Math.min(all.length - at, 1 + r.nextInt(600));
            chunks.add(java.util.Arrays.copyOfRange(all, at, at + n));
            at += n;
        }
        return chunks;
    }

    @Test
    void cutsInColouredOutputWithCursorMovesAndScrollingRegionsDrawTheSameScreen() throws Exception {
        long skipped = 0;
        for (long seed = 1; seed <= 150; seed++) {
            Random r = new Random(seed);
            String first = before(r);
            List<char[]> chunks = chunks(r, mix(r, 5 + r.nextInt(40)) + (r.nextBoolean() ? "\u001b[6n" : ""));
            try (Screen drawn = screen(Long.MAX_VALUE);
                    Screen skipping = screen(r.nextInt(4000))) {
                for (Screen s : List.of(drawn, skipping)) {
                    s.feed(first);
                    feed(s, chunks);
                    s.feed("$ ");
                }
                drawn.start();
                skipping.start();
                assertSame(drawn, skipping, "seed " + seed);
                skipped += skipping.skipped();
            }
        }
        assertThat(skipped).as("characters skipped in 150 mixes").isGreaterThan(100_000);
    }

    @Test
    void aLazyScreenFedAMixAsItComesShowsWhatDrawingEverythingShows() throws Exception {
        Random r = new Random(11);
        String text = mix(r, 3_000);
        List<String> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Screen drawn = screen(Long.MAX_VALUE);
                Screen lazy = new Screen(COLS, ROWS, Screen.ignoring(answers::add))) {
            lazy.start();
            for (int at = 0; at < text.length(); at += 4000) {
                String part = text.substring(at, Math.min(text.length(), at + 4000));
                drawn.feed(part);
                lazy.feed(part);
            }
            drawn.feed("\u001b[6n");
            lazy.feed("\u001b[6n"); // a query: answered although nobody reads the screen
            drawn.start();
            assertSame(drawn, lazy, "a mix of " + text.length() + " characters");
            assertThat(lazy.skipped()).as("characters skipped").isGreaterThan(text.length() / 2);
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(answers).hasSize(1));
        }
    }

    @Test
    void queriesBellsTitlesAndModesAreDrawnSoonWhatACutMayDropMayWait() {
        for (String now : List.of(
                "text\u001b[6n",
                "\u001b[c",
                "\u001b[>c",
                "ring\u0007",
                "\u001b]0;title\u0007",
                "\u001b[?1049h",
                "\u001b[2;5r\u001b",
                "\u001b[12",
                "\u001b7")) {
            assertThat(Screen.wantsAttention(now.toCharArray())).as(now).isTrue();
        }
        for (String later : List.of(
                "plain\r\n", "\u001b[38;5;200mred\u001b[0m", "\u001b[5;10Hx\u001b[K\u001b[2J", "\u001b[3;20r\u001bM")) {
            assertThat(Screen.wantsAttention(later.toCharArray())).as(later).isFalse();
        }
    }
}
