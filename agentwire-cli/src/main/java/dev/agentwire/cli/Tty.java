package dev.agentwire.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** The user's terminal through {@code stty} on {@code /dev/tty}: size, raw mode, and SIGWINCH. */
final class Tty {

    private Tty() {}

    static boolean isTty() {
        try {
            stty("-g");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code [cols, rows]}, or 80 × 24 when it cannot be read. */
    static int[] size() {
        try {
            String[] rc = stty("size").trim().split("\\s+");
            return new int[] {Integer.parseInt(rc[1]), Integer.parseInt(rc[0])};
        } catch (IOException | RuntimeException e) {
            return new int[] {80, 24};
        }
    }

    /** Raw mode without echo; the settings to restore. */
    static String raw() throws IOException {
        String saved = stty("-g").trim();
        stty("raw", "-echo");
        return saved;
    }

    static void restore(String saved) {
        try {
            stty(saved);
        } catch (IOException e) {
            // the terminal is gone
        }
    }

    /**
     * Runs {@code action} on every SIGWINCH (Linux and macOS). Through reflection: {@code sun.misc.Signal} is
     * the JDK's only way to handle a signal, and naming it directly makes javac warn.
     */
    static void onResize(Runnable action) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Object winch = signal.getConstructor(String.class).newInstance("WINCH");
            Object proxy = java.lang.reflect.Proxy.newProxyInstance(
                    handler.getClassLoader(), new Class<?>[] {handler}, (self, method, args) -> {
                        if (method.getName().equals("handle")) {
                            action.run();
                        }
                        return null;
                    });
            signal.getMethod("handle", signal, handler).invoke(null, winch, proxy);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // no SIGWINCH here: the size stays what it was at start
        }
    }

    private static String stty(String... args) throws IOException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "stty";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd)
                .redirectInput(new java.io.File("/dev/tty"))
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("stty " + String.join(" ", args) + ": " + out.trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        return out;
    }

    /**
     * {@code text} safe to print on a terminal: control characters (C0, DEL, C1), which could move the cursor or
     * start an escape sequence, become {@code ?}. For what other peers wrote (tool names, messages).
     */
    static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> out.appendCodePoint(c < 0x20 || (c >= 0x7f && c <= 0x9f) ? '?' : c));
        return out.toString();
    }
}
