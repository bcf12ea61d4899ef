package dev.agentwire.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The same ping-pong as the C floor in plain Java: blocking JDK Unix sockets, a server thread that echoes a
 * fixed reply line, no JSON. What the JVM costs before any framework.
 */
final class NioPingPong {

    private static final byte[] REQUEST =
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/ping\"}\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] REPLY =
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"pong\":true,\"ts\":1700000000000}}\n"
                    .getBytes(StandardCharsets.UTF_8);

    private NioPingPong() {}

    static Stats run(Path socket, int iterations, int warmup) throws Exception {
        Files.deleteIfExists(socket);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread echo = new Thread(() -> serve(server), "nio-echo");
            echo.setDaemon(true);
            echo.start();
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                ByteBuffer in = ByteBuffer.allocateDirect(4096);
                ByteBuffer out = ByteBuffer.allocateDirect(REQUEST.length).put(REQUEST);
                for (int i = 0; i < warmup; i++) {
                    roundTrip(client, out, in);
                }
                long[] samples = new long[iterations];
                long start = System.nanoTime();
                for (int i = 0; i < iterations; i++) {
                    long t0 = System.nanoTime();
                    roundTrip(client, out, in);
                    samples[i] = System.nanoTime() - t0;
                }
                return Stats.of(samples, System.nanoTime() - start);
            } finally {
                Files.deleteIfExists(socket);
            }
        }
    }

    private static void roundTrip(SocketChannel ch, ByteBuffer out, ByteBuffer in) throws IOException {
        out.flip();
        while (out.hasRemaining()) {
            ch.write(out);
        }
        out.clear().position(REQUEST.length);
        readLine(ch, in);
    }

    private static void readLine(SocketChannel ch, ByteBuffer in) throws IOException {
        in.clear();
        while (true) {
            if (ch.read(in) < 0) {
                throw new IOException("closed");
            }
            if (in.position() > 0 && in.get(in.position() - 1) == '\n') {
                return;
            }
        }
    }

    private static void serve(ServerSocketChannel server) {
        try (SocketChannel ch = server.accept()) {
            ByteBuffer in = ByteBuffer.allocateDirect(4096);
            ByteBuffer reply = ByteBuffer.allocateDirect(REPLY.length).put(REPLY);
            while (true) {
                readLine(ch, in);
                reply.flip();
                while (reply.hasRemaining()) {
                    ch.write(reply);
                }
                reply.clear().position(REPLY.length);
            }
        } catch (IOException e) {
            // the client closed: done
        }
    }
}
