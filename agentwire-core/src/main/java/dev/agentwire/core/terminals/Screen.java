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
 * writes, on its own thread (the emulator pulls characters and may wait in the middle of an escape sequence).
 * {@link #lines()} is what a person would see now. Thread safe.
 */
final class Screen implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Screen.class);
    private static final char[] END = new char[0];

    /**
     * How far the emulator may fall behind the process, in characters. Past this the reader waits, and so the
     * process does, as with a terminal that cannot draw as fast as a program prints: memory stays bounded.
     */
    static final long MAX_PENDING = 4L << 20;

    private final TerminalTextBuffer buffer;
    private final JediTerminal terminal;
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
        /** Characters queued and not yet taken by the emulator. */
        private long pendingChars;

        /** Queues a chunk, waiting while the emulator is more than {@link #MAX_PENDING} characters behind. */
        synchronized void put(char[] chunk) throws InterruptedException {
            while (pendingChars > MAX_PENDING && !ended) {
                wait(1000);
            }
            pendingChars += chunk.length;
            chunks.add(chunk);
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
            StringBuilder out = new StringBuilder();
            while (out.length() < max) {
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

    /** What the emulator reports besides the screen: title, bell, answers to the process's queries. */
    interface Events {
        /** Everything fed so far is on the screen (called on the emulator's thread). */
        default void settled() {}

        void title(String title);

        void bell();

        void answer(String text);
    }

    private final Events events;

    Screen(int cols, int rows, Events events) {
        this.events = events;
        StyleState style = new StyleState();
        // No history in the emulator: the scrollback viewers get is kept apart; moving every scrolled line into
        // a history buffer was most of the emulator's time under heavy output.
        buffer = new TerminalTextBuffer(cols, rows, style, 0, null);
        terminal = new JediTerminal(new Display(events), buffer, style);
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
                            emulator.next();
                            countProcessed();
                        }
                    } catch (TerminalDataStream.EOF e) {
                        // the process ended
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

    @Override
    public void close() {
        feed.chunks.add(END);
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
