package dev.agentwire.cli;

import dev.agentwire.client.Endpoint;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.config.ConfigLoader;
import dev.agentwire.server.config.HubConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code aw hub}: runs the hub in the foreground until SIGTERM or SIGINT. */
@Command(
        name = "hub",
        mixinStandardHelpOptions = true,
        description = {
            "Run the agentwire hub in the foreground until SIGTERM or Ctrl-C.",
            "Configuration: flags > AGENTWIRE_* environment > agentwire.yaml > defaults (docs/CONFIGURATION.md)."
        })
final class HubCommand implements Callable<Integer> {

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "YAML configuration (default: AGENTWIRE_HOME/agentwire.yaml if present)")
    Path config;

    @Option(names = "--home", paramLabel = "DIR", description = "AGENTWIRE_HOME (default: ~/.agentwire)")
    Path home;

    @Option(names = "--socket", paramLabel = "PATH", description = "hub socket path (server.socket.path)")
    String socket;

    @Option(
            names = "--abstract",
            paramLabel = "NAME",
            description = "bind the Linux abstract socket @NAME instead of a file")
    String abstractName;

    @Option(
            names = "--redis",
            paramLabel = "URI",
            description = "cluster mode on this Redis (cluster.redis), e.g. redis://host:6379")
    String redis;

    @Option(names = "--port", paramLabel = "N", description = "TCP port (clientPort); 0 picks one, -1 turns TCP off")
    Integer port;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "set any configuration key, e.g. --set limits.ratePerSecond=0")
    List<String> sets = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = System.getenv();
        Path dir = home != null ? home.toAbsolutePath() : Endpoint.home(env);
        ConfigLoader loader = ConfigLoader.standard(dir, Optional.ofNullable(config), env);
        for (String s : sets) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--set takes KEY=VALUE, got '" + s + "'");
            }
            loader.set(s.substring(0, eq), s.substring(eq + 1), "flag --set " + s.substring(0, eq));
        }
        if (socket != null) {
            loader.set("server.socket.path", socket, "flag --socket");
        }
        if (abstractName != null) {
            loader.set("server.socket.abstract", "true", "flag --abstract");
            loader.set("server.socket.path", abstractName, "flag --abstract");
        }
        if (redis != null) {
            loader.set("cluster.redis", redis, "flag --redis");
        }
        if (port != null) {
            loader.set("clientPort", Integer.toString(port), "flag --port");
        }
        HubConfig cfg = loader.load(dir);
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", cfg.logLevel());
        AgentwireHub hub = AgentwireHub.builder()
                .config(cfg)
                .terminalForwarder(dev.agentwire.server.terminals.ProcessForwarders.javaLaunch())
                .build();
        CountDownLatch stopped = new CountDownLatch(1);
        hub.start();
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            hub.close();
                            stopped.countDown();
                        },
                        "aw-shutdown"));
        spec.commandLine()
                .getOut()
                .printf(
                        "agentwire hub listening on %s%s%n",
                        cfg.socketDisplay(),
                        hub.tcpPort().isPresent()
                                ? " and " + cfg.host() + ":" + hub.tcpPort().getAsInt()
                                : "");
        spec.commandLine().getOut().flush();
        stopped.await();
        return ExitCodes.OK;
    }
}
