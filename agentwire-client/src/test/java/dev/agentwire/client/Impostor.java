package dev.agentwire.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Another local user (uid 65534, through {@code setpriv}) listening where the hub should be, on an abstract
 * name or a socket file, and counting the bytes a client sends it before it hangs up. Start it with
 * {@link #listen}; {@link #bytesReceived} ends the count.
 */
public final class Impostor implements AutoCloseable {

    /** uid and gid of the other user. */
    public static final int UID = 65534;

    private static final String SCRIPT = String.join(
            "\n",
            "import os, socket, sys",
            "where = sys.argv[1]",
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)",
            "s.bind('\\0' + where[1:] if where.startswith('@') else where)",
            "if not where.startswith('@'):",
            "    os.chmod(where, 0o777)",
            "s.listen(8)",
            "print('listening', flush=True)",
            "conn, _ = s.accept()",
            "conn.settimeout(60)",
            "total = 0",
            "try:",
            "    while True:",
            "        b = conn.recv(65536)",
            "        if not b:",
            "            break",
            "        total += len(b)",
            "except OSError:",
            "    pass",
            "print('received', total, flush=True)",
            "");

    private final Process process;
    private final BufferedReader out;

    private Impostor(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Whether this machine can run another user's process: root, setpriv and /usr/bin/python3. */
    public static boolean available() {
        try {
            return new com.sun.security.auth.module.UnixSystem().getUid() == 0
                    && Files.isExecutable(Path.of("/usr/bin/setpriv"))
                    && Files.isExecutable(Path.of("/usr/bin/python3"));
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /**
     * Starts the listener at {@code where} ({@code @name} or a socket path in a directory that user may write)
     * with its script in {@code dir}; returns once it listens.
     */
    public static Impostor listen(Path dir, String where) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path script = dir.resolve("impostor.py");
        Files.writeString(script, SCRIPT);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
        Process p = new ProcessBuilder(List.of(
                        "/usr/bin/setpriv",
                        "--reuid=" + UID,
                        "--regid=" + UID,
                        "--clear-groups",
                        "/usr/bin/python3",
                        script.toString(),
                        where))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        Impostor impostor = new Impostor(p);
        String first = impostor.out.readLine();
        if (!"listening".equals(first)) {
            impostor.close();
            throw new IOException("the impostor did not start: " + first);
        }
        return impostor;
    }

    public long pid() {
        return process.pid();
    }

    /** What the client sent before it closed (waits for the close, at most {@code timeout}). */
    public long bytesReceived(Duration timeout) throws IOException, InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IOException("the client did not hang up on the impostor within " + timeout);
        }
        String line = out.readLine();
        if (line == null || !line.startsWith("received ")) {
            throw new IOException("the impostor said " + line);
        }
        return Long.parseLong(line.substring("received ".length()).trim());
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
