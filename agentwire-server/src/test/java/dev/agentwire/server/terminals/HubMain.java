package dev.agentwire.server.terminals;

import dev.agentwire.server.AgentwireHub;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A hub in a process of its own, for tests that kill it: {@code HubMain HOME}; prints {@code ready ENDPOINT} once
 * it listens, then runs until it is killed. Started with {@link #command}.
 */
public final class HubMain {

    private HubMain() {}

    public static void main(String[] args) throws Exception {
        AgentwireHub hub = AgentwireHub.builder()
                .home(Path.of(args[0]))
                .set("clientPort", "0")
                .set("terminals.cleanupDelaySeconds", "3600")
                .build()
                .start();
        System.out.println("ready " + hub.endpoint());
        System.out.flush();
        Thread.currentThread().join();
    }

    /** {@code sh -c 'umask UMASK; exec java -cp <this classpath> HubMain HOME'}. */
    static List<String> command(Path home, String umask) {
        List<String> java = new ArrayList<>();
        java.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        java.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        java.add("-cp");
        java.add(System.getProperty("java.class.path"));
        java.add(HubMain.class.getName());
        java.add(home.toString());
        StringBuilder sh = new StringBuilder("umask " + umask + "; exec");
        for (String arg : java) {
            sh.append(" '").append(arg.replace("'", "'\\''")).append('\'');
        }
        return List.of("/bin/sh", "-c", sh.toString());
    }
}
