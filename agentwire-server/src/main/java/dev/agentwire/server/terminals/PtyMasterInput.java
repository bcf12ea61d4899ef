package dev.agentwire.server.terminals;

import com.pty4j.unix.CLibrary;
import com.pty4j.unix.Pty;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * A PTY's output read straight from its master descriptor: {@code poll(2)} on a reused {@code struct pollfd}, then
 * {@code read(2)}. pty4j's own stream builds JNA structures for every poll, which cost more than the read (on 2
 * vCPUs it read a fast {@code cat} at a third of this speed). Like pty4j's stream it never blocks in {@code read}
 * (it polls first, 100 ms at a time), so a closed PTY ends it; closing it closes pty4j's stream.
 *
 * <p>One reader thread at a time, as for any stream.
 */
final class PtyMasterInput extends InputStream {

    /** libc's {@code poll}, with the {@code pollfd} array as ints: {@code fd}, then {@code events} and {@code revents}. */
    private interface LibC extends Library {
        int poll(int[] fds, NativeLong nfds, int timeoutMs);
    }

    private static final int POLLIN = 1;
    private static final int POLL_MS = 100;
    private static final int MAX_POLL_ERRORS = 100;
    /** What one read of a Linux PTY's master gives at most (its line discipline's buffer, less one). */
    static final int TTY_CHUNK = 4095;

    private final LibC libc;
    private final Pty pty;
    private final int fd;
    private final InputStream pty4jStream;
    private final int[] pollfd = new int[2];
    private final NativeLong one = new NativeLong(1);
    private final byte[] one1 = new byte[1];
    private byte[] scratch = new byte[64 * 1024];
    /** {@code events} in the second int: its low half on a little-endian machine, its high half otherwise. */
    private final int eventsWord = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? POLLIN : POLLIN << 16;

    private PtyMasterInput(LibC libc, Pty pty, InputStream pty4jStream) {
        this.libc = libc;
        this.pty = pty;
        this.fd = pty.getMasterFD();
        this.pty4jStream = pty4jStream;
    }

    /** The fast stream for {@code process} if it is a Unix pty4j process and libc loads; else empty. */
    static Optional<InputStream> of(com.pty4j.PtyProcess process) {
        if (!(process instanceof com.pty4j.unix.UnixPtyProcess unix)) {
            return Optional.empty();
        }
        try {
            LibC libc = Native.load("c", LibC.class);
            return Optional.of(new PtyMasterInput(libc, unix.getPty(), process.getInputStream()));
        } catch (LinkageError | RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public int read() throws IOException {
        return read(one1, 0, 1) < 0 ? -1 : one1[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        int errors = 0;
        while (!pty.isClosed()) {
            pollfd[0] = fd;
            pollfd[1] = eventsWord;
            int ready = libc.poll(pollfd, one, POLL_MS);
            if (ready < 0) {
                if (++errors > MAX_POLL_ERRORS) {
                    throw new IOException("poll on the PTY failed " + errors + " times in a row");
                }
                continue; // EINTR
            }
            if (ready == 0) {
                continue;
            }
            if (scratch.length < len) {
                scratch = new byte[len];
            }
            int n = CLibrary.read(fd, scratch, len);
            if (n <= 0) {
                return -1; // EOF, or EIO once the program's side is closed
            }
            System.arraycopy(scratch, 0, b, off, n);
            return n + more(b, off + n, len - n, n);
        }
        return -1;
    }

    /**
     * After a read that took a whole tty buffer ({@link #TTY_CHUNK}), reads on while the program keeps writing
     * (a poll of at most 1 ms each time) and {@code b} has room: one read of a fast program then carries up to
     * {@code len} bytes instead of 4 K, and everything downstream (the screen, the recording, every viewer's frame)
     * handles a few large pieces instead of many small ones. Output that comes slowly is not held back.
     */
    private int more(byte[] b, int off, int len, int last) {
        int total = 0;
        while (last >= TTY_CHUNK && len - total >= TTY_CHUNK && !pty.isClosed()) {
            pollfd[0] = fd;
            pollfd[1] = eventsWord;
            if (libc.poll(pollfd, one, 1) <= 0) {
                break;
            }
            last = CLibrary.read(fd, scratch, len - total);
            if (last <= 0) {
                break; // the next read sees the end again
            }
            System.arraycopy(scratch, 0, b, off + total, last);
            total += last;
        }
        return total;
    }

    @Override
    public void close() throws IOException {
        pty4jStream.close();
    }
}
