package dev.agentwire.server.terminals;

import com.pty4j.PtyProcess;
import com.pty4j.PtyProcessBuilder;
import com.pty4j.WinSize;
import dev.agentwire.core.terminals.Pty;
import dev.agentwire.core.terminals.PtyLauncher;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts processes on pseudo-terminals with pty4j. pty4j's initial size can lose a race with the child (a
 * {@code tput cols} right after start sometimes sees 80), so the command runs behind a {@code /bin/sh} that
 * sets the size with {@code stty} on its own terminal and then {@code exec}s it: the size is in place before
 * the command's first instruction.
 */
public final class Pty4jLauncher implements PtyLauncher {

    @Override
    public Pty launch(List<String> command, String cwd, Map<String, String> env, int cols, int rows)
            throws IOException {
        List<String> argv = new ArrayList<>();
        argv.add("/bin/sh");
        argv.add("-c");
        argv.add("stty cols " + cols + " rows " + rows + " 2>/dev/null; exec \"$@\"");
        argv.add("agentwire-terminal");
        argv.addAll(command);
        PtyProcess process = new PtyProcessBuilder(argv.toArray(String[]::new))
                .setDirectory(cwd)
                .setEnvironment(env)
                .setInitialColumns(cols)
                .setInitialRows(rows)
                .setRedirectErrorStream(true)
                .start();
        return new Pty4j(process);
    }

    /** A pty4j process as the core's {@link Pty}. */
    private record Pty4j(PtyProcess process) implements Pty {

        /** Read from the master descriptor directly where that works ({@link PtyMasterInput}). */
        @Override
        public InputStream output() {
            return PtyMasterInput.of(process).orElseGet(process::getInputStream);
        }

        @Override
        public OutputStream input() {
            return process.getOutputStream();
        }

        @Override
        public void resize(int cols, int rows) {
            process.setWinSize(new WinSize(cols, rows));
        }

        @Override
        public long pid() {
            return process.pid();
        }

        @Override
        public boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public int waitFor() throws InterruptedException {
            return process.waitFor();
        }

        @Override
        public void signal(int signal) {
            try {
                Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                        .redirectErrorStream(true)
                        .start();
                kill.getInputStream().readAllBytes();
                kill.waitFor(5, TimeUnit.SECONDS);
            } catch (IOException e) {
                process.destroy();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
