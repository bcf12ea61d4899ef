package dev.agentwire.cli;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.ptr.IntByReference;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads socket options of another process's socket the way the process itself would: {@code pidfd_open} and
 * {@code pidfd_getfd} (Linux 5.6+) give this process a duplicate of the descriptor, {@code getsockopt} reads it,
 * and the duplicate is closed. The kernel allows it when this user may ptrace the process (the same user and no
 * stricter Yama scope, or CAP_SYS_PTRACE); otherwise {@link #open} says why. The options it knows are a registry
 * ({@link #OPTIONS}). Not thread-safe: one per command run.
 */
final class SocketOptionReader implements AutoCloseable {

    /** One option: its level and number (Linux's, the same on x86-64 and arm64), and whether only TCP has it. */
    record Option(String name, int level, int number, boolean tcpOnly, String meaning) {}

    private static final int SOL_SOCKET = 1;
    private static final int IPPROTO_TCP = 6;
    private static final long SYS_PIDFD_OPEN = 434;
    private static final long SYS_PIDFD_GETFD = 438;

    /** The options {@code --options} may name, in the order they print. */
    static final Map<String, Option> OPTIONS = registry(List.of(
            new Option("SO_SNDBUF", SOL_SOCKET, 7, false, "send buffer, bytes (the kernel doubles what was set)"),
            new Option("SO_RCVBUF", SOL_SOCKET, 8, false, "receive buffer, bytes (the kernel doubles what was set)"),
            new Option("TCP_NODELAY", IPPROTO_TCP, 1, true, "1: Nagle's algorithm is off, small writes go at once"),
            new Option("SO_KEEPALIVE", SOL_SOCKET, 9, false, "1: idle connections are probed"),
            new Option("TCP_KEEPIDLE", IPPROTO_TCP, 4, true, "seconds idle before the first keepalive probe"),
            new Option("TCP_KEEPINTVL", IPPROTO_TCP, 5, true, "seconds between keepalive probes"),
            new Option("TCP_KEEPCNT", IPPROTO_TCP, 6, true, "unanswered probes before the connection is dropped"),
            new Option("SO_REUSEADDR", SOL_SOCKET, 2, false, "1: may bind a port that has TIME_WAIT sockets"),
            new Option("SO_REUSEPORT", SOL_SOCKET, 15, false, "1: several sockets may bind the same port"),
            new Option("TCP_CORK", IPPROTO_TCP, 3, true, "1: partial frames are held until uncorked"),
            new Option("TCP_QUICKACK", IPPROTO_TCP, 12, true, "1: ACKs are sent at once (not delayed)"),
            new Option("TCP_USER_TIMEOUT", IPPROTO_TCP, 18, true, "ms unacknowledged data may wait; 0: the default"),
            new Option("SO_RCVLOWAT", SOL_SOCKET, 18, false, "bytes a read waits for")));

    private interface LibC extends Library {
        NativeLong syscall(NativeLong number, Object... args);

        int getsockopt(int fd, int level, int name, IntByReference value, IntByReference length);

        int close(int fd);
    }

    private static Map<String, Option> registry(List<Option> all) {
        Map<String, Option> m = new LinkedHashMap<>();
        for (Option o : all) {
            if (m.put(o.name(), o) != null) {
                throw new IllegalStateException("socket option " + o.name() + " is listed twice");
            }
        }
        return m;
    }

    private final LibC libc;
    private final int pidfd;

    private SocketOptionReader(LibC libc, int pidfd) {
        this.libc = libc;
        this.pidfd = pidfd;
    }

    /** A reader for {@code pid}'s descriptors, or why there cannot be one. */
    static Result<SocketOptionReader> open(long pid) {
        LibC libc;
        try {
            libc = Native.load("c", LibC.class);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return Result.failed("the C library could not be loaded (" + e.getMessage() + ")");
        }
        int fd = libc.syscall(new NativeLong(SYS_PIDFD_OPEN), new NativeLong(pid), new NativeLong(0))
                .intValue();
        if (fd < 0) {
            return Result.failed("pidfd_open failed: " + errno(Native.getLastError()));
        }
        return Result.of(new SocketOptionReader(libc, fd));
    }

    /** The options of {@code pid}'s descriptor {@code fd}, by name; or why they cannot be read. */
    Result<Map<String, Integer>> read(int fd, List<Option> options, boolean tcp) {
        int dup = libc.syscall(
                        new NativeLong(SYS_PIDFD_GETFD), new NativeLong(pidfd), new NativeLong(fd), new NativeLong(0))
                .intValue();
        if (dup < 0) {
            int err = Native.getLastError();
            return Result.failed("pidfd_getfd failed: " + errno(err)
                    + (err == 1 ? " (reading another process's descriptor takes the right to ptrace it)" : ""));
        }
        try {
            Map<String, Integer> values = new LinkedHashMap<>();
            for (Option o : options) {
                if (o.tcpOnly() && !tcp) {
                    continue;
                }
                IntByReference value = new IntByReference();
                IntByReference length = new IntByReference(4);
                if (libc.getsockopt(dup, o.level(), o.number(), value, length) == 0) {
                    values.put(o.name(), value.getValue());
                }
            }
            return Result.of(values);
        } finally {
            libc.close(dup);
        }
    }

    @Override
    public void close() {
        libc.close(pidfd);
    }

    private static String errno(int number) {
        return ErrnoCommand.find(Integer.toString(number), "linux")
                .map(e -> e.path("name").asText() + " (" + e.path("meaning").asText() + ")")
                .orElse("errno " + number);
    }

    /** A value, or why there is none. */
    record Result<T>(Optional<T> value, String why) {
        static <T> Result<T> of(T value) {
            return new Result<>(Optional.of(value), "");
        }

        static <T> Result<T> failed(String why) {
            return new Result<>(Optional.empty(), why);
        }
    }
}
