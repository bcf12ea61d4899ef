package dev.agentwire.server.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Third-party Node clients for the tests (socket.io-client, the MCP SDK, ...), installed from the npm registry
 * into {@code target/node/<name>} once per build and reused after. A test that needs them skips only where
 * {@code node} or {@code npm} is missing; {@code .ci/run} installs both.
 */
public final class NodePackages {

    private NodePackages() {}

    /** The {@code node_modules} directory holding {@code packages} (each {@code name@version}), installing them if needed. */
    public static synchronized Path install(String dirName, String... packages)
            throws IOException, InterruptedException {
        Assumptions.assumeTrue(onPath("node"), "node is not installed (.ci/run installs nodejs)");
        Assumptions.assumeTrue(onPath("npm"), "npm is not installed (.ci/run installs npm)");
        Path dir = Path.of("target", "node", dirName).toAbsolutePath();
        Path modules = dir.resolve("node_modules");
        if (installed(modules, packages)) {
            return modules;
        }
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>(List.of(
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--no-save",
                "--loglevel=error",
                "--prefix",
                dir.toString()));
        cmd.addAll(List.of(packages));
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("npm-install.log").toFile())
                .start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("npm install " + String.join(" ", packages) + " took more than 300 s");
        }
        if (p.exitValue() != 0 || !installed(modules, packages)) {
            throw new IOException("npm install " + String.join(" ", packages) + " failed: "
                    + Files.readString(dir.resolve("npm-install.log")));
        }
        return modules;
    }

    private static boolean installed(Path modules, String... packages) throws IOException {
        for (String spec : packages) {
            int at = spec.lastIndexOf('@');
            String name = at > 0 ? spec.substring(0, at) : spec;
            String version = at > 0 ? spec.substring(at + 1) : null;
            Path pkg = modules.resolve(name).resolve("package.json");
            if (!Files.exists(pkg)) {
                return false;
            }
            if (version != null && !Files.readString(pkg).contains("\"version\": \"" + version + "\"")) {
                return false;
            }
        }
        return true;
    }

    public static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }
}
