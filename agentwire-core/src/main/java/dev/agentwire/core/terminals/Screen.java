package dev.agentwire.core.terminals;

import com.techsenger.jeditermfx.core.CursorShape;
import com.techsenger.jeditermfx.core.RequestOrigin;
import com.techsenger.jeditermfx.core.TerminalDataStream;
import com.techsenger.jeditermfx.core.TerminalDisplay;
import com.techsenger.jeditermfx.core.TerminalOutputStream;
import com.techsenger.jeditermfx.core.emulator.JediEmulator;
import com.techsenger.jeditermfx.core.emulator.mouse.MouseFormat;
import com.techsenger.jeditermfx.core.emulator.mouse.MouseMode;
import com.techsenger.jeditermfx.core.model.JediTerminal;
import com.techsenger.jeditermfx.core.model.StyleState;
import com.techsenger.jeditermfx.core.model.TerminalSelection;
import com.techsenger.jeditermfx.core.model.TerminalTextBuffer;
import com.techsenger.jeditermfx.core.util.TermSize;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's screen: a real VT emulator (JediTerm's, through jeditermfx-core) fed with everything the process
 * writes, on its own thread (the emulator pulls characters and may wait in the middle of an escape sequence),
 * which {@link #start()} starts, never the constructor. {@link #lines()} is what a person would see now. Thread
 * safe.
 */
final class Screen implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Screen.class);
    private static final char[] END = new char[0];

    /**
     * How far the emulator may fall behind the process, in characters. Past this the reader waits, and so the
     * process does, as with a terminal that cannot draw as fast as a program prints: memory stays bounded.
     */
    static final long MAX_PENDING = 4L << 20;

    /**
     * When the emulator is this many characters behind, it skips plain text whose lines would scroll off the
     * screen anyway (see {@link #findCut}): a flood of output costs the emulator a screenful, not every line.
     */
    static final long SKIP_AFTER = 4L << 10;

    /**
     * While output pours in and nobody looks at the screen, the emulator lets up to this many characters gather
     * before drawing, so that {@link #findCut} has many screenfuls to skip: the emulator is lazy. It draws at once
     * when someone reads the screen ({@link #settle}) or waits for it ({@link #eager}), and when the output pauses
     * for {@link #IDLE_NANOS}.
     */
    static final long LAZY_CHARS = 1L << 20;

    static final long IDLE_NANOS = 2_000_000;

    static final long LAZY_IDLE_NANOS = 50_000_000;

    /**
     * Whether {@code chunk} holds something that must not wait for the emulator to be lazy: a bell, or an escape
     * other than those {@link #findCut} may drop (a query the program waits to have answered, a title, a mode).
     * A sequence cut at the chunk's end counts as one.
     */
    static boolean wantsAttention(char[] chunk) {
        for (int i = 0; i < chunk.length; i++) {
            char c = chunk[i];
            if (c == 0x07) {
                return true;
            }
            if (c != 0x1b) {
                continue;
            }
            if (i + 1 >= chunk.length) {
                return true;
            }
            char next = chunk[++i];
            if (next == 'M' || next == 'D' || next == 'E') {
                continue;
            }
            if (next != '[') {
                return true;
            }
            int j = i + 1;
            while (j < chunk.length && ((chunk[j] >= '0' && chunk[j] <= '9') || chunk[j] == ';')) {
                j++;
            }
            if (j >= chunk.length || "mHfABCDEFGdKJr".indexOf(chunk[j]) < 0) {
                return true;
            }
            i = j;
        }
        return false;
    }

    private final TerminalTextBuffer buffer;
    private final TrackedTerminal terminal;
    private final Feed feed = new Feed();
    private final Thread thread;
    private final Object fed = new Object();
    private long queued;
    private long processed;

    /** The emulator's input: chunks of text in arrival order; blocks when it has none. */
    private static final class Feed implements TerminalDataStream {
        private final BlockingQueue<char[]> chunks = new LinkedBlockingQueue<>();
        private char[] current = new char[0];
        private int pos;
        private final StringBuilder pushed = new StringBuilder();
        private boolean ended;
        /** The emulator stopped on an error: nothing will take chunks any more, so they are dropped. */
        private boolean dead;
        /** Chunks taken from the queue: once the feed is empty, all of them are on the screen. */
        private volatile long taken;
        /** Characters queued and not yet taken by the emulator (written under the lock). */
        private volatile long pendingChars;
        /** Characters ever queued. */
        private long putChars;
        /** Characters of every chunk the emulator took, the current one included. */
        private long takenChars;
        /** {@link #progress()} must reach this before the next look for a cut. */
        private long nextLookAt;
        /** Someone waits for something on the screen: draw output as it comes. */
        private boolean eager;
        /** {@link #putChars} after the last chunk that {@link #wantsAttention}. */
        private long lastAttentionEnd;
        /** When the last chunk came (System.nanoTime). */
        private long lastPutNanos;
        /** Someone waits for the screen: draw at least up to here without gathering. */
        private long drawAtOnceUntil;

        private boolean endQueued;

        /** Queues a chunk, waiting while the emulator is more than {@link #MAX_PENDING} characters behind. */
        synchronized void put(char[] chunk) throws InterruptedException {
            while (pendingChars > MAX_PENDING && !ended && !dead) {
                wait(1000);
            }
            if (dead) {
                return;
            }
            pendingChars += chunk.length;
            putChars += chunk.length;
            if (wantsAttention(chunk)) {
                lastAttentionEnd = putChars;
            }
            lastPutNanos = System.nanoTime();
            chunks.add(chunk);
            notifyAll();
        }

        /** The emulator stopped: wake a writer waiting for room, and drop what is queued and what comes. */
        synchronized void stop() {
            dead = true;
            chunks.clear();
            pendingChars = 0;
            notifyAll();
        }

        /**
         * Waits, between emulator steps with its chunk drawn, while output keeps coming, nobody needs the screen and
         * less than {@link #LAZY_CHARS} of it is queued: the emulator draws only when the output pauses for
         * {@link #IDLE_NANOS} after something that {@link #wantsAttention} (a program that waits for the answer to a
         * query pauses) or for {@link #LAZY_IDLE_NANOS} after anything else, when someone reads or waits for the
         * screen ({@link #drawAtOnce}, {@link #eager}), or when it is that far behind, and then it skips what
         * {@link #findCut} allows first.
         */
        synchronized void gather() throws InterruptedException {
            while (!endQueued && !eager && pendingChars < LAZY_CHARS && takenChars >= drawAtOnceUntil) {
                long idle = lastAttentionEnd > takenChars ? IDLE_NANOS : LAZY_IDLE_NANOS;
                long left = lastPutNanos + idle - System.nanoTime();
                if (left <= 0) {
                    return; // the output paused: draw it (answers to queries, bells and titles go out)
                }
                wait(left / 1_000_000, (int) (left % 1_000_000));
            }
        }

        /** Draw output as it comes ({@code true}: someone waits for the screen) or lazily. */
        synchronized void eager(boolean on) {
            eager = on;
            notifyAll();
        }

        /** Someone reads the screen: draw all that came so far without gathering. */
        synchronized void drawAtOnce() {
            drawAtOnceUntil = putChars;
            notifyAll();
        }

        boolean atChunkEnd() {
            return pushed.length() == 0 && pos >= current.length;
        }

        /** Marks the end of the output, behind everything queued (under the lock, so a skip cannot reorder it). */
        synchronized void end() {
            endQueued = true;
            chunks.add(END);
            notifyAll();
        }

        /** Characters the emulator has yet to draw: the rest of its chunk and the queue (emulator thread only). */
        long ahead() {
            return current.length - pos + pendingChars;
        }

        /** Whether the emulator holds no pushed-back characters (called between emulator steps only). */
        boolean nothingPushedBack() {
            return pushed.length() == 0;
        }

        /**
         * Drops the queued plain text that {@link #findCut} says cannot change what the screen ends up showing;
         * the characters dropped. Called on the emulator's thread between steps.
         */
        synchronized long skipAhead(int rows, boolean regionFull) {
            if (progress() < nextLookAt) {
                return 0;
            }
            // What the emulator has yet to draw: the rest of the chunk it is in, then the queue.
            List<char[]> ahead = new ArrayList<>(chunks.size() + 1);
            ahead.add(current);
            ahead.addAll(chunks);
            Look look = findCut(ahead, pos, rows, regionFull);
            if (!look.found()) {
                // Look again only after as many characters have been drawn or queued as this look read: text
                // without a cut (one huge line) is not read again at every step, so looking costs about as
                // much as the output itself at most.
                nextLookAt = progress() + look.scanned();
                return 0;
            }
            if (look.regionSet()) {
                // The dropped text set scrolling regions and left the whole screen as the region: so must the
                // emulator (DECSTBM also homes the cursor, which the cut makes irrelevant).
                char[] reset = {0x1b, '[', 'r'};
                pushBackBuffer(reset, reset.length);
            }
            if (look.chunk() == 0) {
                long dropped = look.offset() - pos;
                pos = look.offset();
                return dropped;
            }
            long dropped = current.length - pos;
            // The chunk the cut is in becomes the current one, from the cut on; those before it count as drawn.
            for (int i = 1; i <= look.chunk(); i++) {
                char[] chunk = chunks.poll();
                takenChars += chunk.length;
                pendingChars -= chunk.length;
                dropped += i < look.chunk() ? chunk.length : look.offset();
            }
            current = ahead.get(look.chunk());
            pos = look.offset();
            taken += look.chunk();
            notifyAll();
            return dropped;
        }

        /** Where the emulator is in the output plus all that was queued: it only grows. */
        private long progress() {
            return takenChars - (current.length - pos) + putChars;
        }

        @Override
        public char getChar() throws IOException {
            if (pushed.length() > 0) {
                char c = pushed.charAt(pushed.length() - 1);
                pushed.setLength(pushed.length() - 1);
                return c;
            }
            while (pos >= current.length) {
                if (ended) {
                    throw new EOF();
                }
                try {
                    current = chunks.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new EOF();
                }
                pos = 0;
                if (current == END) {
                    ended = true;
                    throw new EOF();
                }
                taken++;
                takenChars += current.length;
                synchronized (this) {
                    pendingChars -= current.length;
                    notifyAll();
                }
            }
            return current[pos++];
        }

        @Override
        public void pushChar(char c) {
            pushed.append(c);
        }

        @Override
        public String readNonControlCharacters(int max) throws IOException {
            StringBuilder out = new StringBuilder(Math.max(0, Math.min(max, 256)));
            while (out.length() < max) {
                if (pushed.length() == 0 && pos < current.length) {
                    // A run of the current chunk at once: most output is long runs of printable text.
                    int end = pos;
                    int limit = Math.min(current.length, pos + max - out.length());
                    while (end < limit && current[end] >= 0x20 && current[end] != 0x7f) {
                        end++;
                    }
                    out.append(current, pos, end - pos);
                    pos = end;
                    if (end < limit) {
                        break; // a control character is next
                    }
                    continue;
                }
                if (pushed.length() == 0 && pos >= current.length && chunks.isEmpty()) {
                    break;
                }
                char c = getChar();
                if (c < 0x20 || c == 0x7f) {
                    pushChar(c);
                    break;
                }
                out.append(c);
            }
            return out.toString();
        }

        @Override
        public void pushBackBuffer(char[] bytes, int length) {
            for (int i = length - 1; i >= 0; i--) {
                pushed.append(bytes[i]);
            }
        }

        @Override
        public boolean isEmpty() {
            return pushed.length() == 0 && pos >= current.length && chunks.isEmpty();
        }
    }

    /** Characters the C0 controls of which can only move the cursor within the screen: no bell, no escape. */
    static boolean plain(char c) {
        return c >= 0x20 ? c < 0x7f || c > 0x9f : c == '\r' || c == '\n' || c == '\t' || c == '\b';
    }

    /**
     * The outcome of {@link #findCut}: where to cut ({@code chunk} -1 for nowhere), the characters read, and whether
     * the text before the cut set a scrolling region (the emulator must then be told the region is the whole
     * screen again, as it is at the cut).
     */
    record Look(int chunk, int offset, long scanned, boolean regionSet) {
        Look(int chunk, int offset, long scanned) {
            this(chunk, offset, scanned, false);
        }

        boolean found() {
            return chunk >= 0;
        }
    }

    static Look findCut(List<char[]> chunks, int from, int rows) {
        return findCut(chunks, from, rows, true);
    }

    /**
     * Where queued output may start without changing the screen it ends in: the chunk and offset of a
     * {@code \r} that begins {@code \r\n} ({@code from} is where the emulator is in the first chunk,
     * {@code regionFull} whether its scrolling region is the whole screen there).
     *
     * <p>The text before the cut may only change what is on the screen, the cursor's place and the colours: plain
     * characters ({@link #plain}), SGR, cursor moves (CUP, HVP, CUU/CUD/CUF/CUB, CNL/CPL, CHA, VPA), erases (EL, ED),
     * index and reverse index (IND, RI, NEL) and scrolling regions (DECSTBM). At the cut the scrolling region must be
     * the whole screen, and the {@code 2 × rows + 2} line feeds after it must come with plain characters and SGR
     * only. Why that is safe: the {@code \r} puts the cursor in column 0 either way; none of those sequences
     * changes a mode, a tab stop or the character set; within {@code rows} line feeds the cursor is on the bottom
     * line either way, and {@code rows} line feeds later every line on the screen was scrolled in blank and written
     * by the same text. So the dropped text, and where it left the cursor, can no longer be seen; colours are not
     * part of the text a reader gets. A query (DSR, DA), a bell, a title, a mode or anything unknown ends the look:
     * it is always drawn.
     */
    static Look findCut(List<char[]> chunks, int from, int rows, boolean regionFull) {
        int need = 2 * rows + 2;
        CutScan scan = new CutScan(rows, need, regionFull);
        long scanned = 0;
        outer:
        for (int ci = 0; ci < chunks.size(); ci++) {
            char[] chunk = chunks.get(ci);
            if (chunk == END) {
                break;
            }
            for (int i = ci == 0 ? from : 0; i < chunk.length; i++) {
                scanned++;
                if (!scan.step(chunk[i], ci, i)) {
                    break outer;
                }
            }
        }
        return new Look(scan.cutChunk, scan.cutOffset, scanned, scan.cutAfterRegion);
    }

    /** {@link #findCut}'s reader: one character at a time, the escapes it may drop parsed as they come. */
    private static final class CutScan {
        private final int rows;
        private final int need;
        private boolean regionFull;
        /** A scrolling region was set since the scan began. */
        private boolean regionSet;

        private static final int TEXT = 0;
        private static final int ESC = 1;
        private static final int CSI = 2;
        private int state = TEXT;
        private final StringBuilder params = new StringBuilder();

        /** Line feeds in the current run of plain text and SGR with the region the whole screen; -1: no run. */
        private long runFeeds;
        /** Cut candidates in the run: chunk, offset, line feeds in the run before it; oldest first. */
        private final java.util.ArrayDeque<long[]> candidates = new java.util.ArrayDeque<>();

        private char prev;
        private int prevChunk = -1;
        private int prevIndex = -1;

        int cutChunk = -1;
        int cutOffset = -1;
        boolean cutAfterRegion;

        CutScan(int rows, int need, boolean regionFull) {
            this.rows = rows;
            this.need = need;
            this.regionFull = regionFull;
            this.runFeeds = regionFull ? 0 : -1;
        }

        /** Reads {@code c} (at chunk {@code ci}, index {@code i}); false when the look must stop before it. */
        boolean step(char c, int ci, int i) {
            switch (state) {
                case ESC -> {
                    if (c == '[') {
                        state = CSI;
                        params.setLength(0);
                        return true;
                    }
                    if (c == 'M' || c == 'D' || c == 'E') { // RI, IND, NEL: the screen and the cursor only
                        state = TEXT;
                        prev = 0;
                        endRun();
                        return true;
                    }
                    return false;
                }
                case CSI -> {
                    if ((c >= '0' && c <= '9') || c == ';') {
                        if (params.length() > 32) {
                            return false;
                        }
                        params.append(c);
                        return true;
                    }
                    state = TEXT;
                    return csi(c);
                }
                default -> {
                    if (c == 0x1b) {
                        state = ESC;
                        return true;
                    }
                    if (!plain(c)) {
                        return false;
                    }
                    if (c == '\n' && runFeeds >= 0) {
                        if (prev == '\r') {
                            candidates.add(new long[] {prevChunk, prevIndex, runFeeds});
                        }
                        runFeeds++;
                        while (!candidates.isEmpty() && runFeeds - candidates.peekFirst()[2] >= need) {
                            long[] cut = candidates.pollFirst();
                            cutChunk = (int) cut[0];
                            cutOffset = (int) cut[1];
                            cutAfterRegion = regionSet;
                        }
                    }
                    prev = c;
                    prevChunk = ci;
                    prevIndex = i;
                    return true;
                }
            }
        }

        /** A CSI sequence ended by {@code fin}: whether it may be dropped (and what it did to the run). */
        private boolean csi(char fin) {
            prev = 0; // a cut is a \r right before a \n
            switch (fin) {
                case 'm' -> {
                    return true; // colours: the run goes on
                }
                case 'H', 'f', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'd', 'K', 'J' -> {
                    endRun();
                    return true;
                }
                case 'r' -> {
                    String p = params.toString();
                    if (p.isEmpty()) {
                        regionFull = true;
                    } else {
                        String[] tb = p.split(";", -1);
                        if (tb.length != 2 || tb[0].isEmpty() || tb[1].isEmpty()) {
                            return false;
                        }
                        int top = scrollParameter(tb[0]);
                        int bottom = scrollParameter(tb[1]);
                        if (top < 1 || top >= bottom || bottom > rows) {
                            return false; // what the emulator makes of it is not worth guessing
                        }
                        regionFull = top == 1 && bottom == rows;
                    }
                    regionSet = true;
                    endRun();
                    return true;
                }
                default -> {
                    return false;
                }
            }
        }

        /** The cursor moved or the region changed: a new run starts (if the region is the whole screen). */
        private void endRun() {
            candidates.clear();
            runFeeds = regionFull ? 0 : -1;
        }
    }

    /** JediTerm's terminal, telling whether its scrolling region is the whole screen. */
    private static final class TrackedTerminal extends JediTerminal {
        private volatile boolean fullScrollRegion = true;

        TrackedTerminal(TerminalDisplay display, TerminalTextBuffer buffer, StyleState style) {
            super(display, buffer, style);
        }

        @Override
        public void setScrollingRegion(int top, int bottom) {
            super.setScrollingRegion(top, bottom);
            // A resize moves the bottom with the height, so a region that is the whole screen stays so.
            fullScrollRegion = top <= 1 && bottom >= getTerminalHeight();
        }
    }

    /** What the emulator reports besides the screen: title, bell, answers to the process's queries. */
    interface Events {
        /** Everything fed so far is on the screen (called on the emulator's thread). */
        default void settled() {}

        void title(String title);

        void bell();

        void answer(String text);
    }

    private final Events events;
    private final long skipAfter;
    /** Whether plain text may gather before it is drawn (only worth it when it may be skipped). */
    private final boolean gather;
    /** Characters the emulator skipped (see {@link #findCut}). */
    private final java.util.concurrent.atomic.AtomicLong skipped = new java.util.concurrent.atomic.AtomicLong();

    Screen(int cols, int rows, Events events) {
        this(cols, rows, events, SKIP_AFTER);
    }

    /**
     * A screen that skips ahead when its emulator is more than {@code skipAfter} characters behind. Its emulator
     * waits for {@link #start()}; output fed before then is queued (tests queue output first).
     */
    Screen(int cols, int rows, Events events, long skipAfter) {
        this.events = events;
        this.skipAfter = skipAfter;
        this.gather = skipAfter < Long.MAX_VALUE;
        StyleState style = new StyleState();
        // No history in the emulator: the scrollback viewers get is kept apart; moving every scrolled line into
        // a history buffer was most of the emulator's time under heavy output.
        buffer = new TerminalTextBuffer(cols, rows, style, 0, null);
        terminal = new TrackedTerminal(new Display(events), buffer, style);
        terminal.setTerminalOutput(new TerminalOutputStream() {
            @Override
            public void sendBytes(byte[] bytes, boolean userInput) {
                events.answer(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
            }

            @Override
            public void sendString(String string, boolean userInput) {
                events.answer(string);
            }
        });
        JediEmulator emulator = new JediEmulator(feed, terminal);
        thread = new Thread(
                () -> {
                    try {
                        while (!feed.ended) {
                            if (gather && feed.atChunkEnd()) {
                                feed.gather();
                            }
                            if (feed.ahead() > skipAfter && feed.nothingPushedBack()) {
                                skipped.addAndGet(
                                        feed.skipAhead(terminal.getTerminalHeight(), terminal.fullScrollRegion));
                            }
                            emulator.next();
                            countProcessed();
                        }
                    } catch (TerminalDataStream.EOF e) {
                        // the process ended
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (IOException | RuntimeException e) {
                        log.warn("the terminal emulator stopped: {}", e.toString());
                    }
                    feed.stop(); // the program must never wait for an emulator that is gone
                    synchronized (fed) {
                        processed = Long.MAX_VALUE;
                        fed.notifyAll();
                    }
                },
                "aw-term-screen");
        thread.setDaemon(true);
    }

    /** A scrolling-region parameter of at most five digits, or -1 (a larger one is nothing a screen can use). */
    static int scrollParameter(String digits) {
        if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Integer.parseInt(digits);
    }

    /** Starts the emulator's thread ({@code aw-term-screen}). Call once. */
    void start() {
        thread.start();
    }

    private void countProcessed() {
        if (feed.isEmpty()) {
            synchronized (fed) {
                processed = feed.taken;
                fed.notifyAll();
            }
            events.settled();
        }
    }

    /** Hands the emulator what the process wrote. */
    void feed(String text) {
        if (text.isEmpty()) {
            return;
        }
        synchronized (fed) {
            queued++;
        }
        try {
            feed.put(text.toCharArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Whether the emulator draws output as it comes ({@code true}, while someone waits for a pattern on the screen)
     * or lazily (see {@link #LAZY_CHARS}).
     */
    void eager(boolean on) {
        feed.eager(on);
    }

    /** Waits (at most {@code millis}) until everything fed so far is on the screen. */
    void settle(long millis) throws InterruptedException {
        feed.drawAtOnce();
        long deadline = System.currentTimeMillis() + millis;
        synchronized (fed) {
            long target = queued;
            while (processed < target) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return;
                }
                fed.wait(left);
            }
        }
    }

    /** The visible lines, trailing spaces removed. */
    List<String> lines() {
        buffer.lock();
        try {
            List<String> out = new ArrayList<>(buffer.getHeight());
            for (String line : buffer.getScreenLines().split("\n", -1)) {
                if (out.size() < buffer.getHeight()) {
                    out.add(line.stripTrailing());
                }
            }
            while (out.size() < buffer.getHeight()) {
                out.add("");
            }
            return out;
        } finally {
            buffer.unlock();
        }
    }

    /** The cursor, 0-based: {@code [column, row]}. */
    int[] cursor() {
        return new int[] {terminal.getCursorX() - 1, terminal.getCursorY() - 1};
    }

    void resize(int cols, int rows) {
        terminal.resize(new TermSize(cols, rows), RequestOrigin.User);
    }

    /** Characters of output the emulator skipped because they would have scrolled off unseen. */
    long skipped() {
        return skipped.get();
    }

    @Override
    public void close() {
        feed.end();
    }

    /** A display with nothing to draw: it passes the title and the bell on. */
    private static final class Display implements TerminalDisplay {
        private final Events events;
        private volatile String title = "";

        Display(Events events) {
            this.events = events;
        }

        @Override
        public void setCursor(int x, int y) {}

        @Override
        public void setCursorShape(CursorShape shape) {}

        @Override
        public void beep() {
            events.bell();
        }

        @Override
        public void scrollArea(int top, int bottom, int dy) {}

        @Override
        public void setCursorVisible(boolean visible) {}

        @Override
        public void useAlternateScreenBuffer(boolean use) {}

        @Override
        public String getWindowTitle() {
            return title;
        }

        @Override
        public void setWindowTitle(String title) {
            this.title = title;
            events.title(title);
        }

        @Override
        public TerminalSelection getSelection() {
            return null;
        }

        @Override
        public void terminalMouseModeSet(MouseMode mode) {}

        @Override
        public void setMouseFormat(MouseFormat format) {}

        @Override
        public boolean ambiguousCharsAreDoubleWidth() {
            return false;
        }
    }

    /** The consumer of events that ignores them (tests). */
    static Events ignoring(Consumer<String> answers) {
        return new Events() {
            @Override
            public void title(String title) {}

            @Override
            public void bell() {}

            @Override
            public void answer(String text) {
                answers.accept(text);
            }
        };
    }
}
