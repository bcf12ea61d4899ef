package dev.agentwire.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.RequestContext;
import dev.agentwire.client.RpcException;
import dev.agentwire.client.ServiceRequest;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.RpcError;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aw services}, {@code aw request}, {@code aw serve}, {@code aw route-llm}. */
final class ServicesCommands {

    private ServicesCommands() {}

    @Command(
            name = "services",
            mixinStandardHelpOptions = true,
            description = "List the hub's services: instances, pending and handled requests, mean and p99 times.")
    static final class List extends HubCall {
        @Override
        Ask prepare() {
            return hub -> hub.services().list().get();
        }

        @Override
        void printText(PrintWriter out, JsonNode list) {
            out.printf(
                    "%-24s %9s %8s %9s %9s %9s%n", "SERVICE", "INSTANCES", "PENDING", "HANDLED", "MEAN ms", "P99 ms");
            for (JsonNode s : list.path("services")) {
                out.printf(
                        "%-24s %9d %8d %9d %9.3f %9.3f%n",
                        s.path("name").asText(),
                        s.path("instances").size(),
                        s.path("pending").asInt(),
                        s.path("handled").asLong(),
                        s.path("meanMs").asDouble(),
                        s.path("p99Ms").asDouble());
            }
        }
    }

    @Command(
            name = "request",
            mixinStandardHelpOptions = true,
            description = {
                "Send ACTION with DATA to one instance of SERVICE and print its answer.",
                "Exits 1 with the service's message if it answers an error; 3, 5 as for every command."
            })
    static final class Request extends HubCall {
        @Parameters(index = "0", paramLabel = "SERVICE")
        String service;

        @Parameters(index = "1", paramLabel = "ACTION")
        String action;

        @Parameters(index = "2", paramLabel = "DATA", defaultValue = "null", description = "JSON (default: null)")
        String data;

        @Override
        Ask prepare() {
            JsonNode body = jsonArgument(data, "DATA");
            Duration timeout = client.timeout(Duration.ofSeconds(30));
            return hub -> hub.services().request(service, action, body, timeout).get();
        }

        /** The answer is JSON either way. */
        @Override
        void printText(PrintWriter out, JsonNode answer) throws IOException {
            printJson(out, answer);
        }
    }

    @Command(
            name = "serve",
            mixinStandardHelpOptions = true,
            description = {
                "Serve NAME by running COMMAND once per request: any script becomes a service.",
                "COMMAND gets the request's data as JSON on stdin and AW_SERVICE, AW_ACTION and AW_FROM in its",
                "environment; what it prints is the answer (JSON if it parses, else a string). A non-zero exit",
                "answers an error with the exit code and the command's stderr. Also opens",
                "AGENTWIRE_HOME/agents/NAME.sock for callers that speak the orchestrator's envelope.",
                "Runs until interrupted; re-registers when the hub comes back."
            })
    static final class Serve implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME", description = "the service's name")
        String name;

        @Parameters(
                index = "1..*",
                paramLabel = "COMMAND",
                arity = "1..*",
                description = "the command and its arguments (after --)")
        java.util.List<String> command;

        @Option(
                names = "--concurrency",
                paramLabel = "N",
                defaultValue = "4",
                description = "commands run at once (default: ${DEFAULT-VALUE})")
        int concurrency;

        @Option(
                names = "--command-timeout",
                paramLabel = "DURATION",
                defaultValue = "60s",
                description = "a command running longer is killed (default: ${DEFAULT-VALUE})")
        String commandTimeout;

        @Option(names = "--no-socket", description = "do not open AGENTWIRE_HOME/agents/NAME.sock")
        boolean noSocket;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (concurrency < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--concurrency must be at least 1");
            }
            Duration limit = Durations.parse(commandTimeout, spec.commandLine());
            PrintWriter err = spec.commandLine().getErr();
            AgentwireClient c = client.builder("aw-serve " + name)
                    .reconnect(true)
                    .handlerThreads(concurrency)
                    .connect();
            try (c) {
                CountDownLatch closed = new CountDownLatch(1);
                c.services().serve(name, (req, ctx) -> run(req, ctx, limit)).get();
                String where = "";
                if (!noSocket) {
                    JsonNode sock = c.request(
                                    "services/socket",
                                    Json.mapper().createObjectNode().put("name", name))
                            .get();
                    where = " (socket " + sock.path("path").asText() + ")";
                    c.onReconnect(x -> x.request(
                            "services/socket", Json.mapper().createObjectNode().put("name", name)));
                }
                err.println("aw serve: serving " + name + where + " with: " + String.join(" ", command));
                err.flush();
                Runtime.getRuntime().addShutdownHook(new Thread(closed::countDown));
                closed.await();
            }
            return ExitCodes.OK;
        }

        /** Runs the command for one request, on a handler thread. */
        private CompletableFuture<JsonNode> run(ServiceRequest req, RequestContext ctx, Duration limit) {
            try {
                ProcessBuilder pb = new ProcessBuilder(command);
                pb.environment().put("AW_SERVICE", req.service());
                pb.environment().put("AW_ACTION", req.action());
                pb.environment().put("AW_FROM", req.from().toString());
                Process p = pb.start();
                CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
                CompletableFuture<byte[]> stdout = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
                try (var in = p.getOutputStream()) {
                    in.write(Json.mapper().writeValueAsBytes(req.data()));
                } catch (IOException e) {
                    // the command did not read its input: that is its business
                }
                long deadline = System.nanoTime() + limit.toNanos();
                while (!p.waitFor(50, TimeUnit.MILLISECONDS)) {
                    if (ctx.isCancelled() || System.nanoTime() > deadline) {
                        p.destroyForcibly();
                        p.waitFor(5, TimeUnit.SECONDS);
                        return CompletableFuture.failedFuture(failure(
                                ctx.isCancelled() ? "CANCELLED" : "COMMAND_TIMEOUT",
                                ctx.isCancelled()
                                        ? "the request was cancelled; the command was killed"
                                        : "the command ran longer than " + commandTimeout + " and was killed",
                                Json.mapper().createObjectNode()));
                    }
                }
                String text = new String(stdout.get(), StandardCharsets.UTF_8).strip();
                String errText = new String(stderr.get(), StandardCharsets.UTF_8).strip();
                if (p.exitValue() != 0) {
                    ObjectNode details = Json.mapper().createObjectNode();
                    details.put("exitCode", p.exitValue());
                    details.put("stderr", errText);
                    details.put("stdout", text);
                    String first = errText.isEmpty()
                            ? ""
                            : ": " + errText.lines().findFirst().orElse("");
                    return CompletableFuture.failedFuture(failure(
                            "COMMAND_FAILED", command.get(0) + " exited with " + p.exitValue() + first, details));
                }
                return CompletableFuture.completedFuture(answer(text));
            } catch (IOException e) {
                return CompletableFuture.failedFuture(failure(
                        "COMMAND_FAILED",
                        "cannot run " + command.get(0) + ": " + e.getMessage(),
                        Json.mapper().createObjectNode()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return CompletableFuture.failedFuture(e);
            } catch (java.util.concurrent.ExecutionException e) {
                return CompletableFuture.failedFuture(e.getCause());
            }
        }

        private static JsonNode answer(String text) {
            if (text.isEmpty()) {
                return Json.mapper().nullNode();
            }
            try {
                return Json.mapper().readTree(text);
            } catch (JsonProcessingException e) {
                return Json.mapper().getNodeFactory().textNode(text);
            }
        }

        private static RpcException failure(String code, String message, ObjectNode details) {
            ObjectNode data = Json.mapper().createObjectNode();
            data.put("reason", code);
            data.set("details", details);
            return new RpcException(new RpcError(-32000, message, data));
        }

        private static byte[] readAll(java.io.InputStream in) {
            try {
                return in.readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        }
    }

    @Command(
            name = "route-llm",
            mixinStandardHelpOptions = true,
            description = "Ask the hub's LLM router which provider to use for a request.")
    static final class RouteLlm extends HubCall {
        @Option(names = "--tokens", paramLabel = "N", required = true, description = "the request's token count")
        long tokens;

        @Option(names = "--task", paramLabel = "TYPE", description = "coding, reasoning, creative, analysis, ...")
        String task;

        @Option(
                names = "--priority",
                paramLabel = "P",
                defaultValue = "normal",
                description = "high, normal or low (default: ${DEFAULT-VALUE})")
        String priority;

        @Option(names = "--max-latency", paramLabel = "MS", defaultValue = "0", description = "0: no bound")
        long maxLatency;

        @Override
        Ask prepare() {
            ObjectNode params = Json.mapper().createObjectNode();
            params.put("token_count", tokens);
            if (task != null) {
                params.put("task_type", task);
            }
            params.put("priority", priority);
            params.put("max_latency", maxLatency);
            return request("router/route", params);
        }

        @Override
        void printText(PrintWriter out, JsonNode r) {
            out.printf(
                    java.util.Locale.ROOT,
                    "%s (estimated cost $%.4f, confidence %.2f)%n%s%n",
                    r.path("provider").asText(),
                    r.path("estimated_cost").asDouble(),
                    r.path("confidence").asDouble(),
                    r.path("reasoning").asText());
        }
    }
}
