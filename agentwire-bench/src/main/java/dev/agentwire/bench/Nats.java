package dev.agentwire.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code nats-server} (Debian's package) as a baseline, driven with clients as thin as {@link ThinLoad}'s: raw
 * sockets speaking NATS's text protocol. nats-server listens on TCP only, so this baseline runs over loopback TCP
 * where the hub's runs over a Unix socket; that favours the hub by the difference of the two on this machine.
 */
final class Nats implements AutoCloseable {

    static final Path SERVER = Path.of("/usr/sbin/nats-server");

    private static final byte[] CONNECT =
            "CONNECT {\"verbose\":false,\"pedantic\":false}\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Process process;
    private final int port;

    private Nats(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** A nats-server on a free loopback port, once it accepts; empty if it is not installed. */
    static Optional<Nats> start() throws Exception {
        if (!Files.isExecutable(SERVER)) {
            return Optional.empty();
        }
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Process p = new ProcessBuilder(SERVER.toString(), "-a", "127.0.0.1", "-p", Integer.toString(port))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectErrorStream(true)
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                return Optional.of(new Nats(p, port));
            } catch (IOException notYet) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new IllegalStateException("nats-server did not start on port " + port);
                }
                Thread.sleep(10);
            }
        }
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /**
     * Deliveries per second of {@code messages} 64-byte publishes from one publisher to {@code subscribers} raw
     * subscriber sockets read by one selector thread (the same shape as the rooms and Redis fan-outs). The
     * publisher sends 16 publishes and a PING at a time and waits for the PONG, like redis-benchmark's -P 16.
     */
    double fanOut(int subscribers, int messages) throws Exception {
        String payload = RoomsBench.PAYLOAD;
        int frame = ("MSG fanout 1 " + payload.length() + "\r\n" + payload + "\r\n").length();
        List<SocketChannel> subs = new ArrayList<>();
        LongAdder bytes = new LongAdder();
        Selector selector = Selector.open();
        Thread reader = null;
        try {
            for (int i = 0; i < subscribers; i++) {
                SocketChannel ch = SocketChannel.open(address());
                ThinLoad.writeFully(ch, join(CONNECT, "SUB fanout 1\r\nPING\r\n"));
                skipUntil(ch, "PONG\r\n");
                ch.configureBlocking(false);
                ch.register(selector, SelectionKey.OP_READ);
                subs.add(ch);
            }
            reader = new Thread(() -> count(selector, bytes), "nats-subscribers");
            reader.setDaemon(true);
            reader.start();
            try (SocketChannel pub = SocketChannel.open(address())) {
                ThinLoad.writeFully(pub, CONNECT);
                skipUntil(pub, "\r\n"); // INFO
                byte[] one = ("PUB fanout " + payload.length() + "\r\n" + payload + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
                byte[] window = new byte[one.length * 16];
                for (int i = 0; i < 16; i++) {
                    System.arraycopy(one, 0, window, i * one.length, one.length);
                }
                long expected = (long) subscribers * messages * frame;
                long start = System.nanoTime();
                for (int sent = 0; sent < messages; sent += 16) {
                    int n = Math.min(16, messages - sent);
                    ThinLoad.writeFully(pub, join(java.util.Arrays.copyOf(window, n * one.length), "PING\r\n"));
                    skipUntil(pub, "PONG\r\n");
                }
                while (bytes.sum() < expected) {
                    if (System.nanoTime() - start > TimeUnit.MINUTES.toNanos(5)) {
                        throw new IllegalStateException("NATS fan-out stalled at " + bytes.sum() / frame + " of "
                                + expected / frame + " deliveries");
                    }
                    Thread.onSpinWait();
                }
                return (double) subscribers * messages * 1e9 / (System.nanoTime() - start);
            }
        } finally {
            selector.close();
            if (reader != null) {
                reader.join(5000);
            }
            for (SocketChannel ch : subs) {
                ch.close();
            }
        }
    }

    private static void count(Selector selector, LongAdder bytes) {
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 16);
        try {
            while (selector.isOpen()) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    buf.clear();
                    int n = ((SocketChannel) key.channel()).read(buf);
                    if (n < 0) {
                        key.cancel();
                    } else {
                        bytes.add(n);
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | java.nio.channels.ClosedSelectorException e) {
            // closed at the end of the run
        }
    }

    private static byte[] join(byte[] head, String tail) {
        byte[] t = tail.getBytes(StandardCharsets.US_ASCII);
        byte[] all = java.util.Arrays.copyOf(head, head.length + t.length);
        System.arraycopy(t, 0, all, head.length, t.length);
        return all;
    }

    /** Reads a blocking channel byte by byte until what it read ends with {@code end}. */
    private static void skipUntil(SocketChannel ch, String end) throws IOException {
        byte[] e = end.getBytes(StandardCharsets.US_ASCII);
        byte[] tail = new byte[e.length];
        ByteBuffer one = ByteBuffer.allocate(1);
        while (true) {
            one.clear();
            if (ch.read(one) < 0) {
                throw new IOException("nats-server closed the connection");
            }
            System.arraycopy(tail, 1, tail, 0, tail.length - 1);
            tail[tail.length - 1] = one.get(0);
            if (java.util.Arrays.equals(tail, e)) {
                return;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /**
     * Request/reply over NATS for {@link ThinLoad}: instances subscribe to {@code svc} in one queue group, each
     * caller subscribes to its own inbox and publishes requests with it as the reply subject.
     */
    static final class RequestReply implements ThinLoad.Protocol {
        private static final String PAYLOAD = "{\"n\":1}";
        private final boolean[] connected = new boolean[1 << 16];

        @Override
        public byte[] request(int caller) {
            String pub = "PUB svc _INBOX." + caller + " " + PAYLOAD.length() + "\r\n" + PAYLOAD + "\r\n";
            if (connected[caller]) {
                return pub.getBytes(StandardCharsets.US_ASCII);
            }
            connected[caller] = true;
            return join(CONNECT, "SUB _INBOX." + caller + " 1\r\n" + pub);
        }

        @Override
        public byte[] instanceHello() {
            return join(CONNECT, "SUB svc q 1\r\nPING\r\n");
        }

        @Override
        public boolean helloAnswered() {
            return true;
        }

        /** INFO on connect, then PONG once the subscription is in place. */
        @Override
        public int helloLines() {
            return 2;
        }

        @Override
        public int callerReplies(ByteBuffer in) {
            int n = 0;
            Message m;
            while ((m = Message.next(in)) != null) {
                if (m.payload != null) {
                    n++;
                }
            }
            return n;
        }

        @Override
        public byte[] instanceMessages(ByteBuffer in) {
            StringBuilder out = new StringBuilder();
            Message m;
            while ((m = Message.next(in)) != null) {
                if (m.payload != null) {
                    out.append("PUB ")
                            .append(m.replyTo)
                            .append(' ')
                            .append(m.payload.length())
                            .append("\r\n")
                            .append(m.payload)
                            .append("\r\n");
                } else if (m.line.startsWith("PING")) {
                    out.append("PONG\r\n");
                }
            }
            return out.toString().getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** One protocol line from the server, with its payload and reply subject if it is a MSG. */
    private record Message(String line, String replyTo, String payload) {

        /** The next whole line (and payload) in {@code in}, consumed; null if incomplete. */
        static Message next(ByteBuffer in) {
            int start = in.position();
            int eol = -1;
            for (int i = start; i < in.limit() - 1; i++) {
                if (in.get(i) == '\r' && in.get(i + 1) == '\n') {
                    eol = i;
                    break;
                }
            }
            if (eol < 0) {
                return null;
            }
            byte[] b = new byte[eol - start];
            in.get(start, b);
            String line = new String(b, StandardCharsets.US_ASCII);
            if (!line.startsWith("MSG ")) {
                in.position(eol + 2);
                return new Message(line, null, null);
            }
            String[] parts = line.split(" ");
            int size = Integer.parseInt(parts[parts.length - 1]);
            if (in.limit() - (eol + 2) < size + 2) {
                return null;
            }
            byte[] p = new byte[size];
            in.get(eol + 2, p);
            in.position(eol + 2 + size + 2);
            String replyTo = parts.length == 5 ? parts[3] : null;
            return new Message(line, replyTo, new String(p, StandardCharsets.US_ASCII));
        }
    }
}
