package dev.agentwire.server.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentwire.protocol.FrameEncoding;
import dev.agentwire.protocol.Framing;
import dev.agentwire.protocol.fuzz.Chunking;
import dev.agentwire.protocol.fuzz.Failures;
import dev.agentwire.protocol.fuzz.FuzzBudget;
import dev.agentwire.protocol.fuzz.Gen;
import dev.agentwire.protocol.fuzz.Input;
import dev.agentwire.protocol.fuzz.JsonRpcCorpus;
import dev.agentwire.protocol.fuzz.Mutation;
import dev.agentwire.protocol.fuzz.SpecOracle;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.JqwikLeakCheck;
import dev.agentwire.server.testing.TestHubs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * HTTP request heads and WebSocket frames against one real hub's TCP port, through its whole HTTP pipeline
 * (codec, aggregator, WebSocket gate, handshake, frame decoder and aggregator, {@code WebSocketRpcHandler}, the
 * API and the static handlers), over a real socket. Requests come from a corpus of valid ones (with the hub's
 * token where they need it), mutated or not, cut into random writes; WebSocket messages are JSON-RPC texts
 * (valid or mutated), typed frames, pings, fragments, protocol violations and oversized messages.
 *
 * <p>Properties: the hub answers with well-formed HTTP/1.1 responses (a request it cannot read gets {@code 400},
 * never a {@code 500}), valid requests get their documented status, a WebSocket message gets the answers
 * {@code docs/PROTOCOL.md} gives its JSON-RPC text or typed frame, a protocol violation a close frame with its
 * RFC 6455 code, and an over-limit message {@code 1009}; the connection always ends within the bound after the
 * peer stops sending; no exception shows in the hub's log; no buffer leaks.
 */
@AddLifecycleHook(JqwikLeakCheck.class)
@AddLifecycleHook(FuzzBudget.class)
class HubHttpFuzzTest {

    private static final int MAX = 4096;
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    private static AgentwireHub hub;
    private static LogWatch log;
    private static int port;

    @BeforeContainer
    static void start() throws IOException {
        log = LogWatch.install();
        hub = TestHubs.start(TestHubs.shortTempDir(), b -> b.set("limits.maxMessageBytes", String.valueOf(MAX)));
        port = hub.tcpPort().getAsInt();
    }

    @AfterContainer
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        log.uninstall();
    }

    /** A request from the corpus and the status the hub must answer it with. */
    private record Request(String text, int status) {}

    private static List<Request> corpus() {
        String host = "Host: 127.0.0.1:" + port + "\r\n";
        String token = hub.token();
        String body = "{\"token_count\":5000,\"task_type\":\"coding\"}";
        return List.of(
                new Request("GET /health HTTP/1.1\r\n" + host + "\r\n", 200),
                new Request("GET /client.js HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n", 200),
                new Request("GET /nope?x=1 HTTP/1.1\r\n" + host + "\r\n", 401),
                new Request("GET /nope?x=1&token=" + token + " HTTP/1.1\r\n" + host + "\r\n", 404),
                new Request("POST /health HTTP/1.1\r\n" + host + "Content-Length: 0\r\n\r\n", 405),
                new Request("GET /api/sessions?token=" + token + " HTTP/1.1\r\n" + host + "\r\n", 200),
                new Request("GET /api/router HTTP/1.1\r\n" + host + "Authorization: Bearer " + token + "\r\n\r\n", 200),
                new Request("GET /api/sessions HTTP/1.1\r\n" + host + "\r\n", 401),
                new Request(
                        "POST /api/route-llm HTTP/1.1\r\n" + host + "Authorization: Bearer " + token
                                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n"
                                + body,
                        200),
                new Request(
                        "POST /api/route-llm HTTP/1.1\r\n" + host + "Authorization: Bearer " + token
                                + "\r\nTransfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(body.length())
                                + "\r\n" + body + "\r\n0\r\n\r\n",
                        200),
                new Request("GET /metrics?token=" + token + " HTTP/1.1\r\n" + host + "\r\n", 200),
                new Request(
                        "GET /ws HTTP/1.1\r\n" + host + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n"
                                + "Origin: http://evil.test\r\n\r\n",
                        403),
                new Request(upgrade(), 101));
    }

    private static String upgrade() {
        return "GET /ws?token=" + hub.token() + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + KEY
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    }

    @Property(tries = 900, shrinking = ShrinkingMode.OFF)
    void everyRequestHeadGetsWellFormedAnswers(@ForAll long seed) {
        Gen g = new Gen(seed);
        List<Request> corpus = corpus();
        Request request = g.pick(corpus);
        boolean pristine = g.chance(30);
        byte[] bytes = request.text().getBytes(StandardCharsets.ISO_8859_1);
        if (!pristine) {
            List<byte[]> sources = new ArrayList<>();
            corpus.forEach(r -> sources.add(r.text().getBytes(StandardCharsets.ISO_8859_1)));
            bytes = Mutation.havoc(g, bytes, 6, sources, MAX);
        }
        Chunking chunking = Chunking.random(g);
        Failures.check(new Input(bytes), input -> {
            byte[] answer = exchange(input.bytes(), chunking);
            if (input.length() == 0 || Framing.sniff(input.bytes()[0], true).orElse(null) != Framing.HTTP) {
                return; // another framing (HubStreamFuzzTest); here only that the connection ended
            }
            HttpAnswers.Read read = HttpAnswers.read(answer);
            read.responses()
                    .forEach(r -> assertThat(r.status()).as("status of %s", r).isNotEqualTo(500));
            if (pristine && input.equals(new Input(request.text().getBytes(StandardCharsets.ISO_8859_1)))) {
                assertThat(read.responses()).as("responses").isNotEmpty();
                assertThat(read.responses().get(0).status()).as("status").isEqualTo(request.status());
            }
        });
    }

    /**
     * Found by {@link #everyRequestHeadGetsWellFormedAnswers}: a request target with a stray {@code %} made
     * {@code QueryStringDecoder} throw in the WebSocket gate; the exception reached the end of the pipeline, the
     * log got a stack trace and the peer no answer.
     */
    @Example
    void aRequestTargetThatCannotBeDecodedGetsA400() {
        for (String target : List.of("/%", "%", "/api/sessions?token=%zz", "/ws%", "/health%2")) {
            byte[] request = ("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1);
            HttpAnswers.Read read = HttpAnswers.read(exchange(request, Chunking.whole()));
            assertThat(read.responses()).as("responses to %s", target).hasSize(1);
            assertThat(read.responses().get(0).status())
                    .as("status for %s", target)
                    .isEqualTo(400);
        }
    }

    /**
     * Found by {@link #everyRequestHeadGetsWellFormedAnswers}: an API request from a peer that then stopped
     * sending ({@code printf 'POST /api/route-llm ...' | nc -N}) was never answered; the half-close closed the
     * connection while the call was running.
     */
    @Example
    void anApiRequestIsAnsweredWhenThePeerStopsSendingAfterIt() {
        Request post = corpus().stream()
                .filter(r ->
                        r.text().startsWith("POST /api/route-llm") && r.text().contains("Content-Length"))
                .findFirst()
                .orElseThrow();
        HttpAnswers.Read read =
                HttpAnswers.read(exchange(post.text().getBytes(StandardCharsets.ISO_8859_1), Chunking.whole()));
        assertThat(read.responses()).as("responses").hasSize(1);
        assertThat(read.responses().get(0).status()).isEqualTo(200);
    }

    /**
     * Found by {@link #everyWebSocketMessageIsAnsweredAsTheProtocolSays}: a WebSocket peer that stopped sending
     * (a TCP half-close, no close frame) right after its messages lost their answers: the connection was closed
     * with the replies still queued.
     */
    @Example
    void webSocketMessagesAreAnsweredWhenThePeerStopsSendingAfterThem() {
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        frames.writeBytes(WsFrames.Frame.of(WsFrames.PING, new byte[] {1, 2}).encode(0x11223344));
        frames.writeBytes(WsFrames.Frame.of(WsFrames.BINARY, FrameEncoding.typed(0x02, new byte[] {7}))
                .encode(0x55667788));
        frames.writeBytes(WsFrames.Frame.of(WsFrames.TEXT, "{\"jsonrpc\":".getBytes(StandardCharsets.UTF_8))
                .encode(0x0A0B0C0D));
        HttpAnswers.Read read = HttpAnswers.read(
                exchange(upgrade().getBytes(StandardCharsets.ISO_8859_1), frames.toByteArray(), Chunking.whole()));
        List<Answers.Answer> answers = new ArrayList<>();
        for (WsFrames.Received f : WsFrames.read(read.upgraded())) {
            try {
                if (f.opcode() == WsFrames.TEXT) {
                    Answers.json(f.payload(), answers);
                } else if (f.opcode() == WsFrames.BINARY) {
                    answers.addAll(Answers.actual(Framing.TYPED, f.payload()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assertThat(answers)
                .containsExactly(
                        new Answers.ErrorFrame(-32600),
                        new Answers.Single(dev.agentwire.protocol.Id.NULL, -32700, false));
    }

    /**
     * Found by {@link #everyWebSocketMessageIsAnsweredAsTheProtocolSays}: messages that arrived together with a
     * close frame were never answered: Netty answered the close frame at once and closed the connection with the
     * replies still queued.
     */
    @Example
    void webSocketMessagesBeforeACloseFrameAreAnsweredBeforeTheClose() {
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        frames.writeBytes(WsFrames.Frame.of(
                        WsFrames.TEXT,
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/ping\"}".getBytes(StandardCharsets.UTF_8))
                .encode(0x01020304));
        frames.writeBytes(WsFrames.Frame.of(WsFrames.TEXT, "nope".getBytes(StandardCharsets.UTF_8))
                .encode(0x05060708));
        frames.writeBytes(WsFrames.Frame.of(WsFrames.CLOSE, new byte[] {0x03, (byte) 0xE8})
                .encode(0x090A0B0C));
        HttpAnswers.Read read = HttpAnswers.read(
                exchange(upgrade().getBytes(StandardCharsets.ISO_8859_1), frames.toByteArray(), Chunking.whole()));
        List<WsFrames.Received> received = WsFrames.read(read.upgraded());
        List<Answers.Answer> answers = new ArrayList<>();
        for (WsFrames.Received f : received.subList(0, Math.max(0, received.size() - 1))) {
            try {
                Answers.json(f.payload(), answers);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assertThat(answers)
                .containsExactlyInAnyOrder(
                        new Answers.Single(dev.agentwire.protocol.Id.of(1), null, false),
                        new Answers.Single(dev.agentwire.protocol.Id.NULL, -32700, false));
        assertThat(received.get(received.size() - 1).opcode()).isEqualTo(WsFrames.CLOSE);
    }

    @Property(tries = 1_000, shrinking = ShrinkingMode.OFF)
    void everyWebSocketMessageIsAnsweredAsTheProtocolSays(@ForAll long seed) {
        Gen g = new Gen(seed);
        List<Message> messages = new ArrayList<>();
        for (int i = g.between(1, 6); i > 0; i--) {
            messages.add(message(g));
        }
        boolean violation = g.chance(25);
        if (violation) {
            messages.add(g.between(0, messages.size()), violation(g));
        }
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        messages.forEach(m -> m.frames().forEach(f -> frames.writeBytes(f.encode(g.anyInt()))));
        boolean havoc = g.chance(20);
        byte[] wire = havoc ? Mutation.havoc(g, frames.toByteArray(), 4, List.of(), MAX) : frames.toByteArray();
        byte[] head = upgrade().getBytes(StandardCharsets.ISO_8859_1);
        Chunking chunking = Chunking.random(g);
        Failures.check(new Input(wire), input -> {
            HttpAnswers.Read read = HttpAnswers.read(exchange(head, input.bytes(), chunking));
            assertThat(read.responses()).hasSize(1);
            assertThat(read.responses().get(0).status()).isEqualTo(101);
            judgeWebSocket(
                    WsFrames.read(read.upgraded()),
                    havoc || !input.equals(new Input(frames.toByteArray())) ? null : messages);
        });
    }

    /** A client message as frames, and what the hub must answer to it. */
    private record Message(List<WsFrames.Frame> frames, List<Answers.Answer> answers, int pongs, Integer close) {}

    /** A valid message: a JSON-RPC text (maybe fragmented), one typed frame, a ping, or a close. */
    private static Message message(Gen g) {
        switch (g.weighted(6, 2, 1, 1)) {
            case 0: {
                byte[] text = JsonRpcCorpus.anyText(g).bytes();
                if (text.length > MAX || !utf8(text)) {
                    text = JsonRpcCorpus.validText(g).getBytes(StandardCharsets.UTF_8);
                }
                List<Answers.Answer> answers = new ArrayList<>();
                Answers.expectedFor(SpecOracle.expect(text), answers);
                return new Message(fragments(g, text), answers, 0, null);
            }
            case 1: {
                int type = g.pick(0x10, 0x07, 0x01, 0x02, 0x06, g.between(0, 255));
                byte[] payload =
                        type == 0x10 ? JsonRpcCorpus.validText(g).getBytes(StandardCharsets.UTF_8) : g.bytes(40);
                List<Answers.Answer> answers = new ArrayList<>();
                if (type == 0x10) {
                    Answers.expectedFor(SpecOracle.expect(payload), answers);
                } else if (type == 0x07) {
                    answers.add(new Answers.Heartbeat(hex(payload)));
                } else {
                    answers.add(new Answers.ErrorFrame(-32600));
                }
                return new Message(
                        List.of(WsFrames.Frame.of(WsFrames.BINARY, FrameEncoding.typed(type, payload))),
                        answers,
                        0,
                        null);
            }
            case 2:
                return new Message(List.of(WsFrames.Frame.of(WsFrames.PING, g.bytes(20))), List.of(), 1, null);
            default:
                return new Message(
                        List.of(WsFrames.Frame.of(WsFrames.CLOSE, new byte[] {0x03, (byte) 0xE8})), List.of(), 0, 1000);
        }
    }

    /** A frame that breaks RFC 6455 (or the hub's limit), and the close code it must get. */
    private static Message violation(Gen g) {
        byte[] small = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/ping\"}".getBytes(StandardCharsets.UTF_8);
        return switch (g.between(0, 7)) {
            case 0 ->
                new Message(List.of(new WsFrames.Frame(true, 0, WsFrames.TEXT, false, small)), List.of(), 0, 1002);
            case 1 -> new Message(List.of(new WsFrames.Frame(true, 4, WsFrames.TEXT, true, small)), List.of(), 0, 1002);
            case 2 ->
                new Message(
                        List.of(new WsFrames.Frame(true, 0, g.pick(3, 4, 5, 6, 7, 0xB, 0xC, 0xF), true, small)),
                        List.of(),
                        0,
                        1002);
            case 3 ->
                new Message(
                        List.of(new WsFrames.Frame(true, 0, WsFrames.CONTINUATION, true, small)), List.of(), 0, 1002);
            case 4 ->
                new Message(
                        List.of(new WsFrames.Frame(true, 0, WsFrames.PING, true, new byte[126])), List.of(), 0, 1002);
            case 5 ->
                new Message(
                        List.of(WsFrames.Frame.of(WsFrames.TEXT, new byte[] {'"', (byte) 0xC0, (byte) 0x80, '"'})),
                        List.of(),
                        0,
                        1007);
            case 6 -> new Message(List.of(WsFrames.Frame.of(WsFrames.TEXT, new byte[MAX + 1])), List.of(), 0, 1009);
            default -> {
                byte[] half = new byte[MAX / 2 + 1];
                yield new Message(
                        List.of(
                                new WsFrames.Frame(false, 0, WsFrames.TEXT, true, half),
                                new WsFrames.Frame(true, 0, WsFrames.CONTINUATION, true, half)),
                        List.of(),
                        0,
                        1009);
            }
        };
    }

    /** {@code text} as one frame or several (a text frame, then continuations). */
    private static List<WsFrames.Frame> fragments(Gen g, byte[] text) {
        int n = g.chance(70) || text.length < 2 ? 1 : g.between(2, Math.min(5, text.length));
        List<WsFrames.Frame> out = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < n; i++) {
            int to = i == n - 1 ? text.length : from + (text.length - from) / (n - i);
            out.add(new WsFrames.Frame(
                    i == n - 1,
                    0,
                    i == 0 ? WsFrames.TEXT : WsFrames.CONTINUATION,
                    true,
                    java.util.Arrays.copyOfRange(text, from, to)));
            from = to;
        }
        return out;
    }

    /**
     * @param sent the messages sent, when they reached the hub unchanged (else only the general properties hold)
     */
    private static void judgeWebSocket(List<WsFrames.Received> received, List<Message> sent) {
        List<Answers.Answer> answers = new ArrayList<>();
        int pongs = 0;
        Integer close = null;
        for (WsFrames.Received f : received) {
            if (close != null) {
                // Netty follows its own close frame after a protocol violation with a second one (1000) when
                // the channel closes; harmless, and no data may follow.
                assertThat(f.opcode()).as("a data frame after the close frame").isEqualTo(WsFrames.CLOSE);
                continue;
            }
            try {
                switch (f.opcode()) {
                    case WsFrames.TEXT -> Answers.json(f.payload(), answers);
                    case WsFrames.BINARY -> answers.addAll(Answers.actual(Framing.TYPED, f.payload()));
                    case WsFrames.PONG -> pongs++;
                    case WsFrames.CLOSE -> close = f.closeCode();
                    default -> throw new AssertionError("the hub sent opcode " + f.opcode());
                }
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + new Input(f.payload()).show(300), e);
            }
        }
        assertThat(Answers.anyCode(answers, -32603))
                .as("an internal error in " + answers)
                .isFalse();
        if (sent == null) {
            return;
        }
        List<Answers.Answer> expected = new ArrayList<>();
        int expectedPongs = 0;
        Integer expectedClose = null;
        for (Message m : sent) {
            if (m.close() != null) {
                expectedClose = m.close();
                break;
            }
            expected.addAll(m.answers());
            expectedPongs += m.pongs();
        }
        if (expectedClose == null) {
            // The peer stopped sending without a close frame; the hub closes with 1000 (or just closes).
            assertThat(close).as("close code").isIn(null, 1000);
        } else {
            assertThat(close).as("close code").isEqualTo(expectedClose);
        }
        if (expectedClose != null && expectedClose != 1000) {
            Answers.pair(expected, answers); // replies still in flight at a violation may be cut
        } else {
            assertThat(Answers.pair(expected, answers))
                    .as("answers owed but not given (got %s, then close %s)", answers, close)
                    .isEmpty();
            assertThat(pongs).as("pongs").isEqualTo(expectedPongs);
        }
    }

    private static byte[] exchange(byte[] bytes, Chunking chunking) {
        return exchange(new byte[0], bytes, chunking);
    }

    /**
     * Sends {@code head}, and once the hub has answered it (a WebSocket client waits for the 101 before it sends
     * frames, RFC 6455 section 4.1), {@code bytes} in random writes; then stops sending and reads to the end.
     */
    private static byte[] exchange(byte[] head, byte[] bytes, Chunking chunking) {
        try (FuzzPeer peer = FuzzPeer.tcp(port)) {
            if (head.length > 0
                    && (!peer.send(head, BOUND)
                            || !peer.awaitBytes("\r\n\r\n".getBytes(StandardCharsets.US_ASCII), BOUND))) {
                throw new AssertionError("no answer to the handshake");
            }
            for (byte[] write : chunking.split(bytes, 32)) {
                if (!peer.send(write, BOUND)) {
                    break;
                }
            }
            peer.shutdownOutput();
            byte[] answer = peer.readToEnd(BOUND);
            assertThat(log.take()).as("trouble in the hub's log").isEmpty();
            return answer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean utf8(byte[] b) {
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x", x));
        }
        return s.toString();
    }
}
