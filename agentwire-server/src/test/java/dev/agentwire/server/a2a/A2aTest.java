package dev.agentwire.server.a2a;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.RequestContext;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.NodeDriver;
import dev.agentwire.server.testing.TestHubs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The @a2a-js/sdk 1.3.0 client (npm; A2A 1.0) against a named service of the hub: it finds the service by its
 * agent card, sends a message, streams a long answer that the instance sends as progress, gets a task (also after
 * the hub restarted), lists its tasks, and cancels one (the instance learns of it).
 */
class A2aTest {

    static final String SDK = "@a2a-js/sdk@1.3.0";

    private Path dir;
    private AgentwireHub hub;
    private AgentwireClient agent;
    private final AtomicReference<RequestContext> waiting = new AtomicReference<>();

    @BeforeEach
    void start() throws Exception {
        dir = TestHubs.shortTempDir();
        hub = TestHubs.start(dir);
        agent = serve(hub);
    }

    private AgentwireClient serve(AgentwireHub h) throws Exception {
        AgentwireClient a = AgentwireClient.builder()
                .endpoint(h.endpoint())
                .reconnect(false)
                .connect();
        a.services()
                .serve("writer", (req, ctx) -> switch (req.action()) {
                    case "echo" ->
                        CompletableFuture.completedFuture(Json.mapper()
                                .createObjectNode()
                                .put("text", "echo: " + req.data().path("text").asText()));
                    case "story" ->
                        CompletableFuture.supplyAsync(() -> {
                            StringBuilder all = new StringBuilder();
                            for (int i = 1; i <= 3; i++) {
                                String chunk = "part " + i + ". ";
                                all.append(chunk);
                                ctx.progress(i, 3.0, chunk);
                            }
                            return Json.mapper()
                                    .createObjectNode()
                                    .put("text", all.toString().trim());
                        });
                    default -> {
                        waiting.set(ctx);
                        yield new CompletableFuture<>();
                    }
                })
                .get(10, TimeUnit.SECONDS);
        ObjectNode about =
                Json.mapper().createObjectNode().put("name", "writer").put("description", "Writes text");
        var actions = about.putArray("actions");
        actions.addObject().put("name", "echo").put("description", "Says the text back");
        actions.addObject().put("name", "story").put("description", "Tells a story in parts");
        actions.addObject().put("name", "wait").put("description", "Waits until cancelled");
        a.request("services/register", about).get(10, TimeUnit.SECONDS);
        return a;
    }

    @AfterEach
    void stop() {
        agent.close();
        hub.close();
    }

    private String cardUrl(AgentwireHub h) {
        return "http://127.0.0.1:" + h.tcpPort().getAsInt() + "/a2a/writer/.well-known/agent-card.json";
    }

    private static JsonNode run(NodeDriver d, ObjectNode command) throws Exception {
        String tag = command.path("tag").asText(command.path("op").asText());
        d.send(command);
        JsonNode r = d.await(
                j -> (j.path("type").asText().equals("done")
                                || j.path("type").asText().equals("failed"))
                        && j.path("tag").asText().equals(tag),
                Duration.ofSeconds(30));
        return r;
    }

    private static ObjectNode op(String op, String tag) {
        return NodeDriver.op(op).put("tag", tag);
    }

    @Test
    void theJsSdkFindsSendsStreamsGetsListsAndCancels() throws Exception {
        String taskId;
        try (NodeDriver a2a = NodeDriver.start("a2a-driver.cjs", "a2a-js", SDK)) {
            JsonNode card = run(
                    a2a, op("connect", "connect").put("cardUrl", cardUrl(hub)).put("token", hub.token()));
            assertThat(card.path("type").asText()).as("%s", card).isEqualTo("done");
            assertThat(card.path("value").path("description").asText()).isEqualTo("Writes text");
            assertThat(card.path("value").path("skills").findValuesAsText("")).isEmpty();
            assertThat(card.path("value").path("skills").toString()).contains("echo", "story", "wait");

            ObjectNode send = op("send", "send").put("text", "hello");
            send.putObject("data").put("action", "echo");
            JsonNode sent = run(a2a, send);
            assertThat(sent.path("type").asText()).as("%s", sent).isEqualTo("done");
            assertThat(sent.path("value").path("state").asText()).isEqualTo("TASK_STATE_COMPLETED");
            assertThat(sent.path("value").path("texts").toString()).contains("echo: hello");
            taskId = sent.path("value").path("id").asText();

            ObjectNode stream = op("stream", "stream").put("text", "tell me");
            stream.putObject("data").put("action", "story");
            JsonNode streamed = run(a2a, stream);
            assertThat(streamed.path("type").asText()).as("%s", streamed).isEqualTo("done");
            JsonNode events = streamed.path("value").path("events");
            assertThat(events.get(0).path("kind").asText()).isEqualTo("task");
            StringBuilder chunks = new StringBuilder();
            for (JsonNode e : events) {
                if (e.path("artifactId").asText().equals("stream")) {
                    chunks.append(e.path("texts").get(0).asText());
                }
            }
            assertThat(chunks.toString()).as("%s", events).isEqualTo("part 1. part 2. part 3. ");
            assertThat(events.get(events.size() - 1).path("state").asText()).isEqualTo("TASK_STATE_COMPLETED");

            JsonNode got = run(a2a, op("get", "get").put("id", taskId));
            assertThat(got.path("value").path("state").asText()).isEqualTo("TASK_STATE_COMPLETED");
            JsonNode missing = run(a2a, op("get", "missing").put("id", "no-such-task"));
            assertThat(missing.path("type").asText()).isEqualTo("failed");
            assertThat(missing.path("name").asText()).isEqualTo("TaskNotFoundError");

            ObjectNode wait = op("send", "wait").put("text", "take your time").put("immediate", true);
            wait.putObject("data").put("action", "wait");
            JsonNode started = run(a2a, wait);
            assertThat(started.path("value").path("state").asText()).isEqualTo("TASK_STATE_WORKING");
            await().atMost(Duration.ofSeconds(10)).until(() -> waiting.get() != null);
            JsonNode cancelled = run(
                    a2a,
                    op("cancel", "cancel")
                            .put("id", started.path("value").path("id").asText()));
            assertThat(cancelled.path("value").path("state").asText()).isEqualTo("TASK_STATE_CANCELED");
            await().atMost(Duration.ofSeconds(10)).until(() -> waiting.get().isCancelled());
            JsonNode again = run(a2a, op("cancel", "again").put("id", taskId));
            assertThat(again.path("name").asText()).as("%s", again).isEqualTo("TaskNotCancelableError");

            JsonNode list = run(a2a, op("list", "list"));
            assertThat(list.path("value").path("ids").toString()).contains(taskId);
        }

        // The task is in hub.db: after a restart GetTask still answers.
        agent.close();
        hub.close();
        hub = TestHubs.start(dir);
        agent = serve(hub);
        try (NodeDriver a2a = NodeDriver.start("a2a-driver.cjs", "a2a-js", SDK)) {
            run(a2a, op("connect", "connect").put("cardUrl", cardUrl(hub)).put("token", hub.token()));
            JsonNode got = run(a2a, op("get", "get").put("id", taskId));
            assertThat(got.path("type").asText()).as("%s", got).isEqualTo("done");
            assertThat(got.path("value").path("state").asText()).isEqualTo("TASK_STATE_COMPLETED");
            assertThat(got.path("value").path("texts").toString()).contains("echo: hello");
        }
    }

    @Test
    void aToolProviderThatOptsInIsAnAgentToo() throws Exception {
        agent.tools()
                .register(dev.agentwire.client.ToolSpec.of("shout", "Says the text louder"), (args, ctx) -> {
                    ObjectNode r = Json.mapper().createObjectNode();
                    r.putArray("content")
                            .addObject()
                            .put("type", "text")
                            .put("text", args.path("text").asText().toUpperCase(java.util.Locale.ROOT));
                    return CompletableFuture.completedFuture(r);
                })
                .get(10, TimeUnit.SECONDS);
        JsonNode exposed = agent.request(
                        "a2a/expose",
                        Json.mapper().createObjectNode().put("name", "shouter").put("description", "Shouts"))
                .get(10, TimeUnit.SECONDS);
        assertThat(exposed.path("card").asText()).isEqualTo("/a2a/shouter/.well-known/agent-card.json");
        try (NodeDriver a2a = NodeDriver.start("a2a-driver.cjs", "a2a-js", SDK)) {
            JsonNode card = run(
                    a2a,
                    op("connect", "connect")
                            .put(
                                    "cardUrl",
                                    "http://127.0.0.1:" + hub.tcpPort().getAsInt()
                                            + "/a2a/shouter/.well-known/agent-card.json")
                            .put("token", hub.token()));
            assertThat(card.path("value").path("description").asText())
                    .as("%s", card)
                    .isEqualTo("Shouts");
            assertThat(card.path("value").path("skills").toString()).contains("shout");
            JsonNode sent = run(a2a, op("send", "send").put("text", "hello"));
            assertThat(sent.path("value").path("state").asText()).as("%s", sent).isEqualTo("TASK_STATE_COMPLETED");
            assertThat(sent.path("value").path("texts").toString()).contains("HELLO");
            ObjectNode other = op("send", "other").put("text", "hello");
            other.putObject("data").put("action", "story");
            JsonNode refused = run(a2a, other);
            assertThat(refused.path("type").asText())
                    .as("an exposed agent calls only its own tools, not the service's actions: %s", refused)
                    .isEqualTo("failed");
            assertThat(refused.path("message").asText()).contains("no skill story");
        }
    }
}
