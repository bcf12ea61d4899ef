package dev.agentwire.server.terminals;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;

/**
 * A spawned terminal's {@code ipc.sock}, served by its {@link Forwarder} rather than the hub, so that a viewer stays
 * connected across a hub restart: the same typed frames as the hub's own (docs/PROTOCOL.md, "ipc.sock"), one
 * {@link IpcViewer} per connection. Only the forwarder's own user is admitted (the socket is 0600 in a 0700
 * directory, and the peer's credentials are checked as well). Blocking JDK sockets and a thread per viewer: the
 * forwarder has no event loop, and a terminal has a handful of viewers.
 */
final class ForwarderIpc implements AutoCloseable {

    private final Path path;
    private final ServerSocketChannel server;
    private final IpcViewer.Terminal terminal;
    private final UserPrincipal owner;

    private ForwarderIpc(Path path, ServerSocketChannel server, IpcViewer.Terminal terminal, UserPrincipal owner) {
        this.path = path;
        this.server = server;
        this.terminal = terminal;
        this.owner = owner;
    }

    /** Binds {@code path} (a stale socket file there is replaced) with mode 0600; {@link #start} accepts. */
    static ForwarderIpc bind(Path path, IpcViewer.Terminal terminal) throws IOException {
        if (Files.isSymbolicLink(path)) {
            throw new IOException(path + " is a symbolic link");
        }
        Files.deleteIfExists(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            return new ForwarderIpc(path, server, terminal, Files.getOwner(path));
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** Accepts viewers on a daemon thread until {@link #close}. */
    void start() {
        Thread acceptor = new Thread(this::accept, "aw-forwarder-ipc");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void accept() {
        long backoff = 10;
        while (server.isOpen()) {
            SocketChannel ch;
            try {
                ch = server.accept();
                backoff = 10;
            } catch (java.nio.channels.ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // Out of descriptors, say: the socket stays bound, so keep accepting once there are some again.
                System.err.println("forwarder: ipc.sock: accept: " + e);
                backoff = pause(backoff);
                continue;
            }
            if (!admitted(ch)) {
                closeQuietly(ch);
                continue;
            }
            try {
                new IpcViewer(ch, terminal).start();
            } catch (RuntimeException | OutOfMemoryError e) {
                System.err.println("forwarder: ipc.sock: cannot serve a viewer: " + e);
                closeQuietly(ch);
            }
        }
    }

    private static long pause(long backoff) {
        try {
            Thread.sleep(backoff);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Math.min(backoff * 2, 1000);
    }

    /** Whether the peer runs as the forwarder's user (what the socket's mode already asks; checked again). */
    private boolean admitted(SocketChannel ch) {
        try {
            var peer = ch.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED);
            return peer.user().equals(owner); // the same uid
        } catch (IOException | UnsupportedOperationException e) {
            System.err.println("forwarder: ipc.sock: cannot read a peer's credentials (" + e + "); refused");
            return false;
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // closing
        }
    }

    /** Stops accepting and removes the socket file; connected viewers are the terminal's to close. */
    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            System.err.println("forwarder: ipc.sock: " + e);
        }
    }
}
