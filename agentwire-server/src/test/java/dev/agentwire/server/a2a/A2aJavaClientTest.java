package dev.agentwire.server.a2a;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.RequestContext;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.TestHubs;
import io.a2a.A2A;
import io.a2a.client.Client;
import io.a2a.client.TaskEvent;
import io.a2a.client.TaskUpdateEvent;
import io.a2a.client.config.ClientConfig;
import io.a2a.client.transport.jsonrpc.JSONRPCTransport;
import io.a2a.client.transport.jsonrpc.JSONRPCTransportConfig;
import io.a2a.client.transport.spi.interceptors.ClientCallContext;
import io.a2a.spec.A2AClientException;
import io.a2a.spec.AgentCard;
import io.a2a.spec.Task;
import io.a2a.spec.TaskIdParams;
import io.a2a.spec.TaskQueryParams;
import io.a2a.spec.TaskState;
import io.a2a.spec.TextPart;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The Java A2A client ({@code io.github.a2asdk} 0.3.3.Final, A2A 0.3: {@code message/send}, {@code message/stream},
 * {@code tasks/get}, {@code tasks/cancel}, no {@code A2A-Version} header) against a named service of the hub.
 */
class A2aJavaClientTest {

    @Test
    void theJavaClientSendsStreamsGetsAndCancelsWithTheOldNames() throws Exception {
        AtomicReference<RequestContext> waiting = new AtomicReference<>();
        try (AgentwireHub hub = TestHubs.start(TestHubs.shortTempDir());
                AgentwireClient agent = AgentwireClient.builder()
                        .endpoint(hub.endpoint())
                        .reconnect(false)
                        .connect()) {
            agent.services()
                    .serve("writer", (req, ctx) -> {
                        if (req.data().path("text").asText().startsWith("wait")) {
                            waiting.set(ctx);
                            return new CompletableFuture<>();
                        }
                        ctx.progress(1, 2.0, "half ");
                        return CompletableFuture.completedFuture(Json.mapper()
                                .createObjectNode()
                                .put("text", "echo: " + req.data().path("text").asText()));
                    })
                    .get(10, TimeUnit.SECONDS);
            Map<String, String> auth = Map.of("Authorization", "Bearer " + hub.token());
            String base = "http://127.0.0.1:" + hub.tcpPort().getAsInt();
            AgentCard card = A2A.getAgentCard(base, "/a2a/writer/.well-known/agent-card.json", auth);
            assertThat(card.name()).isEqualTo("writer");
            assertThat(card.url()).isEqualTo(base + "/a2a/writer");
            ClientCallContext ctx = new ClientCallContext(Map.of(), auth);

            List<Task> tasks = new CopyOnWriteArrayList<>();
            List<String> updates = new CopyOnWriteArrayList<>();
            List<String> streamed = new CopyOnWriteArrayList<>();
            Client plain = Client.builder(card)
                    .clientConfig(new ClientConfig.Builder().setStreaming(false).build())
                    .withTransport(JSONRPCTransport.class, new JSONRPCTransportConfig())
                    .addConsumer((event, c) -> {
                        if (event instanceof TaskEvent te) {
                            tasks.add(te.getTask());
                        }
                    })
                    .build();
            try {
                plain.sendMessage(A2A.toUserMessage("hello"), ctx);
                await().atMost(Duration.ofSeconds(10)).until(() -> !tasks.isEmpty());
                Task done = tasks.get(0);
                assertThat(done.getStatus().state()).isEqualTo(TaskState.COMPLETED);
                assertThat(((TextPart) done.getArtifacts().stream()
                                        .filter(a -> a.artifactId().equals("result"))
                                        .findFirst()
                                        .orElseThrow()
                                        .parts()
                                        .get(0))
                                .getText())
                        .isEqualTo("echo: hello");
                Task got = plain.getTask(new TaskQueryParams(done.getId()), ctx);
                assertThat(got.getStatus().state()).isEqualTo(TaskState.COMPLETED);
                assertThatThrownBy(() -> plain.getTask(new TaskQueryParams("no-such-task"), ctx))
                        .isInstanceOf(A2AClientException.class);
                assertThatThrownBy(() -> plain.cancelTask(new TaskIdParams(done.getId()), ctx))
                        .as("a completed task cannot be canceled")
                        .isInstanceOf(A2AClientException.class);
            } finally {
                plain.close();
            }
            Client streaming = Client.builder(card)
                    .clientConfig(new ClientConfig.Builder().setStreaming(true).build())
                    .withTransport(JSONRPCTransport.class, new JSONRPCTransportConfig())
                    .addConsumer((event, c) -> {
                        if (event instanceof TaskUpdateEvent ue) {
                            updates.add(ue.getUpdateEvent().getClass().getSimpleName() + ":"
                                    + ue.getTask().getStatus().state());
                        } else if (event instanceof TaskEvent te) {
                            updates.add("task:" + te.getTask().getStatus().state());
                            streamed.add(te.getTask().getId());
                        }
                    })
                    .build();
            try {
                streaming.sendMessage(A2A.toUserMessage("streamed"), ctx);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> updates.stream().anyMatch(u -> u.startsWith("TaskStatusUpdateEvent:COMPLETED")));
                assertThat(updates).anyMatch(u -> u.startsWith("TaskArtifactUpdateEvent"));

                new Thread(() -> {
                            try {
                                streaming.sendMessage(A2A.toUserMessage("wait for me"), ctx);
                            } catch (A2AClientException e) {
                                // the stream ends when the task is canceled
                            }
                        })
                        .start();
                await().atMost(Duration.ofSeconds(10)).until(() -> waiting.get() != null && streamed.size() >= 2);
                Task canceled = streaming.cancelTask(new TaskIdParams(streamed.get(streamed.size() - 1)), ctx);
                assertThat(canceled.getStatus().state()).isEqualTo(TaskState.CANCELED);
                await().atMost(Duration.ofSeconds(10)).until(() -> waiting.get().isCancelled());
            } finally {
                streaming.close();
            }
        }
    }
}
