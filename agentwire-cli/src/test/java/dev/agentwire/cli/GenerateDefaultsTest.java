package dev.agentwire.cli;

import static dev.agentwire.cli.AwRunner.aw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * aw generate's defaults: the generate: section of agentwire.yaml, DEFAULT_BUFFER_SIZE and AGENTWIRE_GENERATE_*
 * in a real process's environment, flags over both, --non-blocking, and code without its comment lines.
 */
class GenerateDefaultsTest {

    private static Path yaml(String text) throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "awgen");
        return Files.writeString(dir.resolve("agentwire.yaml"), text);
    }

    /** aw as its own process with {@code env} added and AGENTWIRE_HOME an empty directory. */
    private static AwRunner.Result awWith(Map<String, String> env, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(AwRunner.processCommand(args));
        pb.environment()
                .put("AGENTWIRE_HOME", Files.createTempDirectory("awhome").toString());
        pb.environment().remove("AGENTWIRE_CONFIG");
        pb.environment().putAll(env);
        Path err = Files.createTempFile("aw", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new AwRunner.Result(p.exitValue(), out, Files.readString(err));
    }

    @Test
    void theYamlSectionSetsLanguageModelBufferAndComments() throws Exception {
        Path config = yaml(
                "generate:\n  defaultLanguage: python\n  defaultIoModel: epoll\n  bufferSize: 32KiB\n  generateComments: true\n");
        AwRunner.Result r = aw("generate", "server", "--config", config.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("#!/usr/bin/env python3", "32768").contains("epoll");
        // Flags win over the file.
        r = aw("generate", "server", "--config", config.toString(), "--language", "c", "--buffer-size", "4096");
        assertThat(r.out()).contains("#define BUFFER_SIZE 4096", "#define IO_MODEL_EPOLL 1");
        // A model the language does not have is not forced on it: java falls back to its default.
        r = aw("generate", "server", "--config", config.toString(), "--language", "java");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("blocking");
        // The client takes the default language too.
        r = aw("generate", "client", "--config", config.toString());
        assertThat(r.out()).startsWith("#!/usr/bin/env python3");
    }

    @Test
    void withoutCommentsTheCodeHasNoCommentLinesAndStillBuilds() throws Exception {
        Path config = yaml("generate:\n  generateComments: false\n");
        Path dir = config.getParent();
        Path src = dir.resolve("server.c");
        AwRunner.Result r = aw(
                "generate",
                "server",
                "--config",
                config.toString(),
                "--language",
                "c",
                "--io-model",
                "epoll",
                "-o",
                src.toString());
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = Files.readAllLines(src);
        assertThat(lines).noneMatch(l -> l.trim().startsWith("/*") || l.trim().startsWith("//"));
        assertThat(lines).as("preprocessor lines stay").anyMatch(l -> l.startsWith("#include"));
        r = aw("generate", "server", "--config", config.toString(), "--language", "python");
        assertThat(r.out().lines()).noneMatch(l -> l.trim().startsWith("# "));
        assertThat(r.out()).startsWith("#!/usr/bin/env python3");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/cc")), "needs cc to build it");
        Process cc = new ProcessBuilder("cc", "-O2", "-Wall", "-Werror", "-o", "echo-server", src.toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(cc.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(cc.exitValue()).as(out).isZero();
    }

    @Test
    void defaultBufferSizeFromTheEnvironment() throws Exception {
        AwRunner.Result r = awWith(Map.of("DEFAULT_BUFFER_SIZE", "131072"), "generate", "server", "--language", "c");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("#define BUFFER_SIZE 131072");
        // The full name wins over the seed's, the flag over both.
        r = awWith(
                Map.of("DEFAULT_BUFFER_SIZE", "131072", "AGENTWIRE_GENERATE_BUFFER_SIZE", "8KiB"),
                "generate",
                "server",
                "--language",
                "c");
        assertThat(r.out()).contains("#define BUFFER_SIZE 8192");
        r = awWith(
                Map.of("DEFAULT_BUFFER_SIZE", "131072"),
                "generate",
                "server",
                "--language",
                "c",
                "--buffer-size",
                "512");
        assertThat(r.out()).contains("#define BUFFER_SIZE 512");
        // A bad value names its source.
        r = awWith(Map.of("DEFAULT_BUFFER_SIZE", "big"), "generate", "server", "--language", "c");
        assertThat(r.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err()).contains("generate.bufferSize", "'big'", "environment DEFAULT_BUFFER_SIZE");
    }

    @Test
    void nonBlockingAsTheSeedSpellsIt() {
        AwRunner.Result r = aw("generate", "server", "--language", "c", "--non-blocking");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("#define IO_MODEL_NONBLOCKING 1");
        r = aw("generate", "server", "--language", "c", "--io-model", "non-blocking");
        assertThat(r.out()).contains("#define IO_MODEL_NONBLOCKING 1");
        r = aw("generate", "server", "--language", "c", "--non-blocking", "--io-model", "epoll");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--non-blocking and --io-model epoll disagree");
    }

    @Test
    void badDefaultsAreRefusedWithTheReason() throws Exception {
        AwRunner.Result r = aw(
                "generate",
                "server",
                "--config",
                yaml("generate:\n  defaultIoModel: threads\n").toString());
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("generate.defaultIoModel must be blocking, nonblocking or epoll, not threads");
        r = aw(
                "generate",
                "server",
                "--config",
                yaml("generate:\n  bufferSize: 1\n").toString());
        assertThat(r.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err()).contains("generate.bufferSize", "'1'");
        r = aw(
                "generate",
                "server",
                "--config",
                yaml("generate:\n  style: terse\n").toString());
        assertThat(r.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err()).contains("unknown config key generate.style");
        r = aw(
                "generate",
                "server",
                "--config",
                yaml("generate:\n  defaultLanguage: \"\"\n").toString());
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("give --language (or set generate.defaultLanguage in agentwire.yaml)");
        r = aw(
                "generate",
                "server",
                "--config",
                yaml("generate:\n  defaultLanguage: cobol\n").toString());
        assertThat(r.err()).contains("no server template for cobol");
    }
}
