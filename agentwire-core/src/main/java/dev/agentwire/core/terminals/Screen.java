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
     * While plain text pours in, the emulator lets up to this many characters gather (or this long pass) before
     * drawing, so that {@link #findCut} has whole screenfuls to skip. Anything else (an escape, a bell) is drawn
     * at once, and so is everything when someone reads the screen ({@link #settle}).
     */
    static final long GATHER_CHARS = 64L << 10;

    static final long GATHER_NANOS = 2_000_000;

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
        /** {@link #putChars} after the last chunk with a character that is not {@link #plain}. */
        private long lastNotPlainEnd;
        /** When the last chunk came (System.nanoTime). */
        private long lastPutNanos;
        /** Someone waits for the screen: draw at least up to here without gathering. */
        private long drawAtOnceUntil;

        private boolean endQueued;

        /** Queues a chunk, waiting while the emulator is more than {@link #MAX_PENDING} characters behind. */
        synchronized void put(char[] chunk) throws InterruptedException {
            while (pendingChars > MAX_PENDING && !ended) {
                wait(1000);
            }
            pendingChars += chunk.length;
            putChars += chunk.length;
            for (char c : chunk) {
                if (!plain(c)) {
                    lastNotPlainEnd = putChars;
                    break;
                }
            }
            lastPutNanos = System.nanoTime();
            chunks.add(chunk);
            notifyAll();
        }

        /**
         * Waits, between emulator steps with its chunk drawn, while only plain text is coming fast and less than
         * {@link #GATHER_CHARS} of it is queued: at most {@link #GATHER_NANOS}.
         */
        synchronized void gather() throws InterruptedException {
            long deadline = System.nanoTime() + GATHER_NANOS;
            while (!endQueued
                    && pendingChars < GATHER_CHARS
                    && lastNotPlainEnd <= takenChars
                    && takenChars >= drawAtOnceUntil) {
                long now = System.nanoTime();
                long left = Math.min(deadline, lastPutNanos + GATHER_NANOS) - now;
                if (left <= 0) {
                    return; // the output paused, or it is time to draw
                }
                wait(left / 1_000_000, (int) (left % 1_000_000));
            }
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
        synchronized long skipAhead(int rows) {
            if (progress() < nextLookAt) {
                return 0;
            }
            // What the emulator has yet to draw: the rest of the chunk it is in, then the queue.
            List<char[]> ahead = new ArrayList<>(chunks.size() + 1);
            ahead.add(current);
            ahead.addAll(chunks);
            Look look = findCut(ahead, pos, rows);
            if (!look.found()) {
                // Look again only after as many characters have been drawn or queued as this look read: text
                // without a cut (one huge line) is not read again at every step, so looking costs about as
                // much as the output itself at most.
                nextLookAt = progress() + look.scanned();
                return 0;
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

    /** The outcome of {@link #findCut}: where to cut ({@code chunk} -1 for nowhere) and the characters read. */
    record Look(int chunk, int offset, long scanned) {
        boolean found() {
            return chunk >= 0;
        }
    }

    /**
     * Where queued output may start without changing the screen it ends in: the chunk and offset of a
     * {@code \r} that begins {@code \r\n} ({@code from} is where the emulator is in the first chunk). The text
     * before it and the {@code 2 × rows + 2} line feeds after it must all be {@link #plain}. Why that is safe, with the scrolling region the whole screen: the
     * {@code \r} puts the cursor in column 0 either way; plain text cannot change modes, tab stops or the
     * scrolling region; within {@code rows} line feeds the cursor is on the bottom line either way, and
     * {@code rows} line feeds later every line on the screen was scrolled in blank and written by the same
     * text. So the dropped text, and where it left the cursor, can no longer be seen.
     */
    static Look findCut(List<char[]> chunks, int from, int rows) {
        int need = 2 * rows + 2;
        // The plain run at the front: its length and its line feeds.
        long feeds = 0;
        long scanned = 0;
        outer:
        for (int ci = 0; ci < chunks.size(); ci++) {
            char[] chunk = chunks.get(ci);
            if (chunk == END) {
                break;
            }
            for (int i = ci == 0 ? from : 0; i < chunk.length; i++) {
                char c = chunk[i];
                scanned++;
                if (!plain(c)) {
                    break outer;
                }
                if (c == '\n') {
                    feeds++;
                }
            }
        }
        long last = feeds - need; // the line feed the cut may be at most: at least `need` of them from it on
        int cutChunk = -1;
        int cutOffset = -1;
        char prev = 0;
        int prevChunk = -1;
        int prevIndex = -1;
        long seen = 0;
        scan:
        for (int ci = 0; ci < chunks.size() && last >= 1; ci++) {
            char[] chunk = chunks.get(ci);
            for (int i = ci == 0 ? from : 0; i < chunk.length; i++) {
                char c = chunk[i];
                if (c == '\n') {
                    if (seen > last) {
                        break scan;
                    }
                    if (prev == '\r') {
                        cutChunk = prevChunk;
                        cutOffset = prevIndex;
                    }
                    seen++;
                }
                prev = c;
                prevChunk = ci;
                prevIndex = i;
            }
        }
        return new Look(cutChunk, cutOffset, scanned);
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
                            if (feed.ahead() > skipAfter && feed.nothingPushedBack() && terminal.fullScrollRegion) {
                                skipped.addAndGet(feed.skipAhead(terminal.getTerminalHeight()));
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
                    synchronized (fed) {
                        processed = Long.MAX_VALUE;
                        fed.notifyAll();
                    }
                },
                "aw-term-screen");
        thread.setDaemon(true);
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
