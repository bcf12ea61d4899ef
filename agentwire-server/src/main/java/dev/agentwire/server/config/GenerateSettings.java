package dev.agentwire.server.config;

import dev.agentwire.core.Setting;
import dev.agentwire.core.Setting.Kind;

/**
 * The {@code generate:} section: defaults for {@code aw generate} (the socket skill's YAML). The hub reads and
 * checks it like any other section so that one agentwire.yaml serves both, but nothing in the hub uses it.
 *
 * @param defaultLanguage the language when {@code --language} is not given; "" means it must be given
 * @param defaultIoModel the I/O model when {@code --io-model} is not given, if the language has it
 * @param bufferSize SO_RCVBUF/SO_SNDBUF and the read buffer when {@code --buffer-size} is not given (the
 *     environment's {@code DEFAULT_BUFFER_SIZE} sets it too)
 * @param generateComments whether the generated code keeps its comment lines
 */
@Setting.Section("generate")
public record GenerateSettings(
        @Setting(value = "c", kind = Kind.STRING, doc = "aw generate's language when --language is not given")
        String defaultLanguage,

        @Setting(
                value = "",
                kind = Kind.STRING,
                doc = "aw generate server's I/O model when --io-model is not given (blocking, nonblocking or epoll)")
        String defaultIoModel,

        @Setting(
                value = "65536",
                kind = Kind.SIZE,
                min = 256,
                max = 64 << 20,
                doc = "aw generate server's buffer size when --buffer-size is not given (also DEFAULT_BUFFER_SIZE)")
        int bufferSize,

        @Setting(value = "true", kind = Kind.BOOLEAN, doc = "whether aw generate keeps the comment lines")
        boolean generateComments) {}
