package dev.agentwire.server.cluster;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A Lua script of this package, run by its SHA1 ({@code EVALSHA}); when Redis does not have it ({@code NOSCRIPT}:
 * restarted, failed over, {@code SCRIPT FLUSH}), the same call is sent once as {@code EVAL}, which loads it.
 */
final class RedisScript {

    private final String name;
    private final String source;
    private final String sha;

    private RedisScript(String name, String source) {
        this.name = name;
        this.source = source;
        try {
            this.sha = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The script {@code name}.lua beside this class. */
    static RedisScript named(String name) {
        try (InputStream in = RedisScript.class.getResourceAsStream(name + ".lua")) {
            if (in == null) {
                throw new IllegalStateException("no script " + name + ".lua");
            }
            return new RedisScript(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Loads the scripts {@code names} into Redis's script cache ({@code SCRIPT LOAD}; on Redis Cluster, on every
     * node) before the hub uses them: a pipelined batch whose first scripts met {@code NOSCRIPT} while later ones
     * found the script (another hub had just loaded it) would store the first ones after the later ones.
     */
    /** Loads script {@code name} into the Redis {@code redis} talks to, checking the SHA it gives. */
    static void load(io.lettuce.core.cluster.api.sync.RedisClusterCommands<String, String> redis, String name) {
        RedisScript s = named(name);
        String sha = redis.scriptLoad(s.source);
        if (!s.sha.equalsIgnoreCase(sha)) {
            throw new IllegalStateException("Redis gave " + sha + " for " + s + ", not " + s.sha);
        }
    }

    /** Runs the script; its reply is a list (of strings, with the UTF-8 codec). */
    CompletableFuture<List<Object>> run(
            RedisClusterAsyncCommands<String, String> redis, String[] keys, String... args) {
        CompletableFuture<List<Object>> first = redis.<List<Object>>evalsha(sha, ScriptOutputType.MULTI, keys, args)
                .toCompletableFuture();
        return first.handle((r, e) -> {
                    if (e == null) {
                        return CompletableFuture.completedFuture(r);
                    }
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (cause instanceof RedisNoScriptException
                            || String.valueOf(cause.getMessage()).startsWith("NOSCRIPT")) {
                        return redis.<List<Object>>eval(source, ScriptOutputType.MULTI, keys, args)
                                .toCompletableFuture();
                    }
                    return CompletableFuture.<List<Object>>failedFuture(cause);
                })
                .thenCompose(f -> f);
    }

    @Override
    public String toString() {
        return name + ".lua";
    }
}
