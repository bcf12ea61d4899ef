package dev.agentwire.core.terminals;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/** A PTY without a process: the test writes its output with {@link #print} and ends it with {@link #exit}. */
final class FakePty implements Pty {

    private static final byte[] END = new byte[0];

    private final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final ByteArrayOutputStream typed = new ByteArrayOutputStream();
    private final AtomicInteger resizes = new AtomicInteger();
    private volatile int exitCode;

    /** A launcher that hands out this PTY and counts its calls. */
    final class Launcher implements PtyLauncher {
        final AtomicInteger launches = new AtomicInteger();

        @Override
        public Pty launch(List<String> command, String cwd, Map<String, String> env, int cols, int rows) {
            launches.incrementAndGet();
            return FakePty.this;
        }
    }

    Launcher launcher() {
        return new Launcher();
    }

    void print(String text) {
        chunks.add(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The process ends with {@code code} once what it printed is read. */
    void exit(int code) {
        exitCode = code;
        chunks.add(END);
    }

    int resizes() {
        return resizes.get();
    }

    @Override
    public InputStream output() {
        return new InputStream() {
            private byte[] current = new byte[0];
            private int pos;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                try {
                    while (pos == current.length) {
                        if (current == END) {
                            return -1;
                        }
                        current = chunks.take();
                        pos = 0;
                        if (current == END) {
                            ended.countDown();
                            return -1;
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return -1;
                }
                int n = Math.min(len, current.length - pos);
                System.arraycopy(current, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    @Override
    public OutputStream input() {
        return typed;
    }

    @Override
    public void resize(int cols, int rows) {
        resizes.incrementAndGet();
    }

    @Override
    public long pid() {
        return ProcessHandle.current().pid();
    }

    @Override
    public boolean isAlive() {
        return ended.getCount() > 0;
    }

    @Override
    public int waitFor() throws InterruptedException {
        ended.await();
        return exitCode;
    }

    @Override
    public void signal(int signal) {
        exit(128 + signal);
    }
}
