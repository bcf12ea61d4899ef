package dev.agentwire.cli;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the hub starts a spawned terminal's forwarder: {@code aw run --detached} on the JVM the hub runs on, from the
 * same classes, sharing the hub's class-data archive when it has one, and sized for what it does (one PTY, one
 * connection): a small heap, the serial collector, the C1 compiler only (docs/BENCHMARKS.md, "Terminal
 * forwarders").
 */
final class Forwarder {

    /** The forwarder's JVM options. */
    static final List<String> JVM_OPTIONS = List.of(
            "-Xms8m",
            "-Xmx48m",
            "-Xss512k",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-XX:CICompilerCount=1",
            "-XX:ReservedCodeCacheSize=16m",
            "-XX:MaxMetaspaceSize=64m",
            "-XX:-UsePerfData");

    private Forwarder() {}

    /** {@code java [options] -cp <these classes> dev.agentwire.cli.Aw run --detached}. */
    static List<String> launch() {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(JVM_OPTIONS);
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-XX:SharedArchiveFile=") || arg.startsWith("-Xshare:") || arg.startsWith("-Xlog:cds")) {
                cmd.add(arg);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Aw.class.getName());
        cmd.add("run");
        cmd.add("--detached");
        return cmd;
    }
}
