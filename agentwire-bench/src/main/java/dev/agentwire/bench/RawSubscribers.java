package dev.agentwire.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Room subscribers as thin as {@code redis-cli SUBSCRIBE > /dev/null}: raw Unix sockets that join a room and
 * are read by one selector thread, which counts the {@code rooms/message} lines and drops everything.
 */
final class RawSubscribers implements AutoCloseable {

    private static final byte[] MESSAGE_PREFIX =
            "{\"jsonrpc\":\"2.0\",\"method\":\"rooms/message\"".getBytes(StandardCharsets.UTF_8);

    private final Selector selector;
    private final List<SocketChannel> channels = new ArrayList<>();
    private final LongAdder delivered = new LongAdder();
    private final Thread reader;
    private volatile boolean running = true;

    /** One line-scanning state per socket: how far into the current line, and whether it still matches. */
    private static final class LineState {
        int position;
        boolean matching = true;
    }

    RawSubscribers(Path socket, String room, int count) throws IOException {
        selector = Selector.open();
        byte[] join = ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"rooms/join\",\"params\":{\"room\":\"" + room
                        + "\"}}\n")
                .getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < count; i++) {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap(join));
            readReply(ch);
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ, new LineState());
            channels.add(ch);
        }
        reader = new Thread(this::loop, "raw-subscribers");
        reader.setDaemon(true);
        reader.start();
    }

    long delivered() {
        return delivered.sum();
    }

    private static void readReply(SocketChannel ch) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        while (true) {
            one.clear();
            if (ch.read(one) < 0) {
                throw new IOException("the hub closed a subscriber while it joined");
            }
            if (one.get(0) == '\n') {
                return;
            }
        }
    }

    private void loop() {
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 16);
        try {
            while (running) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel ch = (SocketChannel) key.channel();
                    LineState s = (LineState) key.attachment();
                    buf.clear();
                    int n = ch.read(buf);
                    if (n < 0) {
                        key.cancel();
                        continue;
                    }
                    for (int i = 0; i < n; i++) {
                        byte b = buf.get(i);
                        if (b == '\n') {
                            if (s.matching && s.position >= MESSAGE_PREFIX.length) {
                                delivered.increment();
                            }
                            s.position = 0;
                            s.matching = true;
                        } else {
                            if (s.matching && s.position < MESSAGE_PREFIX.length && MESSAGE_PREFIX[s.position] != b) {
                                s.matching = false;
                            }
                            s.position++;
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            // closed
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        selector.wakeup();
        try {
            reader.join(10_000); // the reader must be out of the selector before it closes
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SocketChannel ch : channels) {
            ch.close();
        }
        selector.close();
    }
}
