package dev.agentwire.bench;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Request/reply load with clients as thin as the server allows, so that the figure is the server's, not a
 * client library's: every caller and every instance is a raw non-blocking Unix socket, all callers on one
 * selector thread and all instances on another. The same harness drives the hub (NDJSON JSON-RPC) and Redis
 * (RESP, lists with {@code LPUSH}/{@code BRPOP}), so the two differ only in the server.
 */
final class ThinLoad {

    private ThinLoad() {}

    /** How one protocol frames requests and answers. */
    interface Protocol {
        /** Bytes a caller sends for its next request. */
        byte[] request(int caller);

        /** Bytes an instance sends when it starts (register, first BRPOP), or none. */
        byte[] instanceHello();

        /** Whether the server answers the hello with one line (the hub's register) before requests come. */
        boolean helloAnswered();

        /** How many lines the server sends an instance before requests come (its answer to the hello, a greeting). */
        default int helloLines() {
            return helloAnswered() ? 1 : 0;
        }

        /**
         * Consumes whole replies for a caller from {@code in} (from its position); returns how many requests
         * they completed.
         */
        int callerReplies(ByteBuffer in);

        /** Consumes whole messages for an instance from {@code in}; returns the bytes to send back. */
        byte[] instanceMessages(ByteBuffer in);
    }

    /** One connection's state: its channel and the bytes read but not yet consumed. */
    private static final class Peer {
        final SocketChannel channel;
        ByteBuffer in = ByteBuffer.allocate(1 << 16);
        int caller;
        int done;
        long sentAt;

        Peer(SocketChannel channel) {
            this.channel = channel;
        }
    }

    static SocketChannel connect(Path socket) throws IOException {
        return connect(UnixDomainSocketAddress.of(socket));
    }

    static SocketChannel connect(SocketAddress address) throws IOException {
        SocketChannel ch = address instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX)
                : SocketChannel.open();
        ch.connect(address);
        return ch;
    }

    /**
     * Every request of one run, in the order answered: its caller, when it was sent ({@link System#nanoTime}) and
     * how long its answer took, with the run's start on both clocks so that moments line up with a server's logs.
     */
    record Recorded(
            ServicesBench.Load load,
            long startNanos,
            long startEpochMillis,
            int[] caller,
            long[] sentNanos,
            long[] latencyNanos) {
        int size() {
            return caller.length;
        }
    }

    /** Runs {@code callers} callers of {@code each} requests against {@code instances} instances. */
    static ServicesBench.Load run(Path socket, Protocol p, int instances, int callers, int each) throws Exception {
        return run(UnixDomainSocketAddress.of(socket), p, instances, callers, each);
    }

    /** The same at any address the JDK connects to (NATS listens on TCP only). */
    static ServicesBench.Load run(SocketAddress socket, Protocol p, int instances, int callers, int each)
            throws Exception {
        return record(socket, p, instances, callers, each).load();
    }

    /** {@link #run}, keeping every request's caller, send time and latency. */
    static Recorded record(Path socket, Protocol p, int instances, int callers, int each) throws Exception {
        return record(UnixDomainSocketAddress.of(socket), p, instances, callers, each);
    }

    /** {@link #run} at any address, keeping every request's caller, send time and latency. */
    static Recorded record(SocketAddress socket, Protocol p, int instances, int callers, int each) throws Exception {
        Selector instanceSelector = Selector.open();
        List<Peer> instancePeers = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            SocketChannel ch = connect(socket);
            writeFully(ch, p.instanceHello());
            ByteBuffer one = ByteBuffer.allocate(1);
            for (int line = 0; line < p.helloLines(); line++) {
                do {
                    one.clear();
                    if (ch.read(one) < 0) {
                        throw new IOException("the server closed an instance while it registered");
                    }
                } while (one.get(0) != '\n');
            }
            ch.configureBlocking(false);
            Peer peer = new Peer(ch);
            ch.register(instanceSelector, SelectionKey.OP_READ, peer);
            instancePeers.add(peer);
        }
        Thread serving = new Thread(() -> serve(instanceSelector, p), "thin-instances");
        serving.setDaemon(true);
        serving.start();
        Selector callerSelector = Selector.open();
        long[] samples = new long[callers * each];
        long[] sent = new long[callers * each];
        int[] callerOf = new int[callers * each];
        int[] recorded = {0};
        List<Peer> callerPeers = new ArrayList<>();
        try {
            for (int c = 0; c < callers; c++) {
                SocketChannel ch = connect(socket);
                ch.configureBlocking(false);
                Peer peer = new Peer(ch);
                peer.caller = c;
                ch.register(callerSelector, SelectionKey.OP_READ, peer);
                callerPeers.add(peer);
            }
            long startEpochMillis = System.currentTimeMillis();
            long start = System.nanoTime();
            for (Peer peer : callerPeers) {
                peer.sentAt = System.nanoTime();
                writeFully(peer.channel, p.request(peer.caller));
            }
            int finished = 0;
            long deadline = start + 300_000_000_000L;
            while (finished < callers) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the load stalled: " + recorded[0] + " answers");
                }
                callerSelector.select(1000);
                for (SelectionKey key : callerSelector.selectedKeys()) {
                    Peer peer = (Peer) key.attachment();
                    if (peer.channel.read(peer.in) < 0) {
                        throw new IOException("the server closed caller " + peer.caller);
                    }
                    peer.in.flip();
                    int answers = p.callerReplies(peer.in);
                    peer.in.compact();
                    for (int a = 0; a < answers; a++) {
                        long now = System.nanoTime();
                        sent[recorded[0]] = peer.sentAt;
                        callerOf[recorded[0]] = peer.caller;
                        samples[recorded[0]++] = now - peer.sentAt;
                        peer.done++;
                        if (peer.done == each) {
                            finished++;
                        } else {
                            peer.sentAt = now;
                            writeFully(peer.channel, p.request(peer.caller));
                        }
                    }
                }
                callerSelector.selectedKeys().clear();
            }
            long total = System.nanoTime() - start;
            int n = recorded[0];
            return new Recorded(
                    ServicesBench.Load.of(Arrays.copyOf(samples, n), total),
                    start,
                    startEpochMillis,
                    Arrays.copyOf(callerOf, n),
                    Arrays.copyOf(sent, n),
                    Arrays.copyOf(samples, n));
        } finally {
            for (Peer peer : callerPeers) {
                peer.channel.close();
            }
            serving.interrupt();
            instanceSelector.wakeup();
            serving.join(5000);
            for (Peer peer : instancePeers) {
                peer.channel.close();
            }
            callerSelector.close();
            instanceSelector.close();
        }
    }

    private static void serve(Selector selector, Protocol p) {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    Peer peer = (Peer) key.attachment();
                    if (peer.channel.read(peer.in) < 0) {
                        key.cancel();
                        continue;
                    }
                    peer.in.flip();
                    byte[] out = p.instanceMessages(peer.in);
                    peer.in.compact();
                    if (out.length > 0) {
                        writeFully(peer.channel, out);
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | java.nio.channels.ClosedSelectorException e) {
            // closed at the end of the run
        }
    }

    static void writeFully(SocketChannel ch, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            if (ch.write(b) == 0) {
                Thread.onSpinWait();
            }
        }
    }

    // --- the hub: NDJSON JSON-RPC ---------------------------------------------------------------------------

    /** Callers send {@code services/request}; instances answer {@code services/handle} with its data. */
    static final class Hub implements Protocol {
        private static final byte[] ID = "\"id\":".getBytes(StandardCharsets.US_ASCII);
        private final String service;

        Hub(String service) {
            this.service = service;
        }

        @Override
        public byte[] request(int caller) {
            return ("{\"jsonrpc\":\"2.0\",\"id\":" + caller
                            + ",\"method\":\"services/request\",\"params\":{\"service\":\"" + service
                            + "\",\"action\":\"x\",\"data\":{\"n\":1}}}\n")
                    .getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public byte[] instanceHello() {
            return ("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"services/register\",\"params\":{\"name\":\"" + service
                            + "\"}}\n")
                    .getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public boolean helloAnswered() {
            return true;
        }

        @Override
        public int callerReplies(ByteBuffer in) {
            int n = 0;
            for (int i = in.position(); i < in.limit(); i++) {
                if (in.get(i) == '\n') {
                    n++;
                    in.position(i + 1);
                }
            }
            return n;
        }

        @Override
        public byte[] instanceMessages(ByteBuffer in) {
            StringBuilder out = new StringBuilder();
            int lineStart = in.position();
            for (int i = in.position(); i < in.limit(); i++) {
                if (in.get(i) == '\n') {
                    long id = idOf(in, lineStart, i);
                    out.append("{\"jsonrpc\":\"2.0\",\"id\":").append(id).append(",\"result\":{\"n\":1}}\n");
                    lineStart = i + 1;
                    in.position(lineStart);
                }
            }
            return out.toString().getBytes(StandardCharsets.US_ASCII);
        }

        /** The number after the first {@code "id":} of a line (the hub writes the id before the params). */
        private static long idOf(ByteBuffer in, int from, int to) {
            outer:
            for (int i = from; i < to - ID.length; i++) {
                for (int j = 0; j < ID.length; j++) {
                    if (in.get(i + j) != ID[j]) {
                        continue outer;
                    }
                }
                long v = 0;
                for (int k = i + ID.length; k < to && Character.isDigit(in.get(k)); k++) {
                    v = v * 10 + (in.get(k) - '0');
                }
                return v;
            }
            throw new IllegalStateException("no id in a services/handle line");
        }
    }

    // --- Redis: lists with LPUSH / BRPOP over RESP ----------------------------------------------------------

    /** Callers LPUSH {@code caller|payload} and BRPOP their reply list; instances BRPOP and LPUSH back. */
    static final class Redis implements Protocol {
        private static final String PAYLOAD = "{\"n\":1}";

        static byte[] command(String... args) {
            StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
            for (String a : args) {
                b.append('$')
                        .append(a.getBytes(StandardCharsets.UTF_8).length)
                        .append("\r\n")
                        .append(a)
                        .append("\r\n");
            }
            return b.toString().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] request(int caller) {
            byte[] push = command("LPUSH", "svc:requests", caller + "|" + PAYLOAD);
            byte[] pop = command("BRPOP", "svc:reply:" + caller, "0");
            byte[] both = Arrays.copyOf(push, push.length + pop.length);
            System.arraycopy(pop, 0, both, push.length, pop.length);
            return both;
        }

        @Override
        public byte[] instanceHello() {
            return command("BRPOP", "svc:requests", "0");
        }

        @Override
        public boolean helloAnswered() {
            return false;
        }

        /** A caller's replies: an integer (LPUSH) then an array (BRPOP); a request is done with its array. */
        @Override
        public int callerReplies(ByteBuffer in) {
            int n = 0;
            while (true) {
                int mark = in.position();
                List<String> reply = Resp.parse(in);
                if (reply == null) {
                    in.position(mark);
                    return n;
                }
                if (reply.size() == 2) {
                    n++;
                }
            }
        }

        /** An instance's messages: BRPOP arrays (a request) and LPUSH integers (its last answer, ignored). */
        @Override
        public byte[] instanceMessages(ByteBuffer in) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            while (true) {
                int mark = in.position();
                List<String> reply = Resp.parse(in);
                if (reply == null) {
                    in.position(mark);
                    return out.toByteArray();
                }
                if (reply.size() == 2) {
                    String v = reply.get(1);
                    int bar = v.indexOf('|');
                    out.writeBytes(command("LPUSH", "svc:reply:" + v.substring(0, bar), v.substring(bar + 1)));
                    out.writeBytes(command("BRPOP", "svc:requests", "0"));
                }
            }
        }
    }

    /** The two RESP replies this load sees: {@code :n} and {@code *2 $k key $v value}. */
    static final class Resp {
        private Resp() {}

        /** One reply: an empty list for an integer, [key, value] for an array; null if incomplete. */
        static List<String> parse(ByteBuffer in) {
            String head = line(in);
            if (head == null) {
                return null;
            }
            if (head.startsWith(":")) {
                return List.of();
            }
            if (!head.startsWith("*")) {
                throw new IllegalStateException("unexpected reply " + head);
            }
            int count = Integer.parseInt(head.substring(1));
            List<String> items = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String len = line(in);
                if (len == null) {
                    return null;
                }
                int n = Integer.parseInt(len.substring(1));
                if (in.remaining() < n + 2) {
                    return null;
                }
                byte[] b = new byte[n];
                in.get(b);
                in.position(in.position() + 2);
                items.add(new String(b, StandardCharsets.UTF_8));
            }
            return items;
        }

        private static String line(ByteBuffer in) {
            for (int i = in.position(); i < in.limit() - 1; i++) {
                if (in.get(i) == '\r' && in.get(i + 1) == '\n') {
                    byte[] b = new byte[i - in.position()];
                    in.get(b);
                    in.position(i + 2);
                    return new String(b, StandardCharsets.US_ASCII);
                }
            }
            return null;
        }
    }
}
