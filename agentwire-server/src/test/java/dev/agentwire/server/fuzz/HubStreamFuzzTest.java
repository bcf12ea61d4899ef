package dev.agentwire.server.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentwire.protocol.FrameEncoding;
import dev.agentwire.protocol.Framing;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.fuzz.Chunking;
import dev.agentwire.protocol.fuzz.Failures;
import dev.agentwire.protocol.fuzz.FuzzBudget;
import dev.agentwire.protocol.fuzz.Gen;
import dev.agentwire.protocol.fuzz.Input;
import dev.agentwire.protocol.fuzz.Reference;
import dev.agentwire.protocol.fuzz.Streams;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.JqwikLeakCheck;
import dev.agentwire.server.testing.TestHubs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Mutated streams in every framing against one real hub, over its Unix socket and its TCP port (after a valid
 * {@code hub/hello}), in random writes, then a half-close. Whatever the bytes, the hub answers exactly what
 * {@code docs/PROTOCOL.md} says for the units the stream decodes to (a malformed text: {@code -32700} or
 * {@code -32600} and the connection goes on; a valid call, including one after junk: its answer; a typed
 * Heartbeat: its echo; another frame type: a {@code -32600} Error frame), never {@code -32603}; a unit over
 * the limit ends the connection with {@code -32006}; a first byte that names no framing gets one
 * {@code -32700} line and a close; the connection always ends within the bound; no exception shows in the
 * hub's log; no buffer leaks.
 */
@AddLifecycleHook(JqwikLeakCheck.class)
@AddLifecycleHook(FuzzBudget.class)
class HubStreamFuzzTest {

    /** Small, so that the over-limit paths are in reach. */
    private static final int MAX = 4096;

    private static final Duration BOUND = Duration.ofSeconds(10);

    private static AgentwireHub hub;
    private static LogWatch log;

    @BeforeContainer
    static void start() throws IOException {
        log = LogWatch.install();
        hub = TestHubs.start(TestHubs.shortTempDir(), b -> b.set("limits.maxMessageBytes", String.valueOf(MAX)));
    }

    @AfterContainer
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        log.uninstall();
    }

    @Property(tries = 1_000, shrinking = ShrinkingMode.OFF)
    void everyStreamOnTheUnixSocketIsAnsweredAsTheProtocolSays(@ForAll long seed) {
        Gen g = new Gen(seed);
        Framing framing = g.pick(Framing.NDJSON, Framing.LENGTH_PREFIXED, Framing.TYPED);
        byte[] bytes = withCallAfter(framing, stream(g, framing));
        Chunking chunking = Chunking.random(g);
        Failures.check(new Input(bytes), input -> exchange(false, new byte[0], input.bytes(), chunking));
    }

    @Property(tries = 500, shrinking = ShrinkingMode.OFF)
    void everyStreamOnTheTcpPortAfterHelloIsAnsweredAsTheProtocolSays(@ForAll long seed) {
        Gen g = new Gen(seed);
        Framing framing = g.pick(Framing.NDJSON, Framing.LENGTH_PREFIXED, Framing.TYPED);
        byte[] hello = FrameEncoding.encode(
                framing,
                ("{\"jsonrpc\":\"2.0\",\"id\":\"hello\",\"method\":\"hub/hello\",\"params\":{\"token\":\"" + hub.token()
                                + "\"}}")
                        .getBytes(StandardCharsets.UTF_8));
        byte[] bytes = withCallAfter(framing, stream(g, framing));
        Chunking chunking = Chunking.random(g);
        Failures.check(new Input(bytes), input -> exchange(true, hello, input.bytes(), chunking));
    }

    /**
     * Found by {@code HubHttpFuzzTest}: {@code initialize} without a {@code protocolVersion} threw a
     * NullPointerException in the hub (an ERROR with a stack trace in the log, {@code -32603} to the client);
     * it gets the newest version, like a client that asks for one the hub does not speak.
     */
    @Example
    void initializeWithoutAProtocolVersionIsAnswered() {
        for (String params : List.of("{}", "{\"protocolVersion\":null}", "[]")) {
            byte[] line = ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":" + params + "}\n")
                    .getBytes(StandardCharsets.UTF_8);
            exchange(false, new byte[0], line, Chunking.whole());
        }
    }

    @Property(tries = 600, shrinking = ShrinkingMode.OFF)
    void anyFirstByteOnTheTcpPortWithoutHelloGetsItsFramingOrOneErrorAndAClose(@ForAll long seed) {
        Gen g = new Gen(seed);
        byte[] rest =
                g.chance(50) ? stream(g, g.pick(Framing.NDJSON, Framing.LENGTH_PREFIXED, Framing.TYPED)) : g.bytes(32);
        byte[] bytes = new byte[rest.length + 1];
        bytes[0] = (byte) g.between(0, 255);
        System.arraycopy(rest, 0, bytes, 1, rest.length);
        Chunking chunking = Chunking.random(g);
        Failures.check(new Input(bytes), input -> unauthenticated(input.bytes(), chunking));
    }

    /**
     * A TCP peer that never says {@code hub/hello}: a first byte that names no framing gets one {@code -32700}
     * line and a close; HTTP is judged by {@code HubHttpFuzzTest}; on a stream framing, malformed texts get
     * {@code -32700}/{@code -32600}, typed Heartbeats their echo, other frame types an Error frame, and the
     * first call {@code -32005} and a close (PROTOCOL.md section 3).
     */
    private static void unauthenticated(byte[] bytes, Chunking chunking) {
        byte[] answer;
        try (FuzzPeer peer = FuzzPeer.tcp(hub.tcpPort().getAsInt())) {
            for (byte[] write : chunking.split(bytes, 32)) {
                if (!peer.send(write, BOUND)) {
                    break;
                }
            }
            peer.shutdownOutput();
            answer = peer.readToEnd(BOUND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(log.take()).as("trouble in the hub's log").isEmpty();
        Optional<Framing> framing = Framing.sniff(bytes[0], true);
        try {
            if (framing.isEmpty()) {
                assertThat(Answers.actual(Framing.NDJSON, answer))
                        .containsExactly(new Answers.Single(Id.NULL, -32700, false));
            } else if (framing.get() != Framing.HTTP) {
                List<Answers.Answer> got = Answers.actual(framing.get(), answer);
                assertThat(Answers.anyCode(got, -32603))
                        .as("an internal error in " + got)
                        .isFalse();
                for (Answers.Answer a : got) {
                    if (a instanceof Answers.Single single && single.code() != null) {
                        assertThat(single.code()).as("error codes").isIn(-32700, -32600, -32005, -32006);
                    }
                }
            }
        } catch (IOException e) {
            throw new AssertionError("the hub's answer is not in the framing: " + new Input(answer).show(500), e);
        }
    }

    /** A mutated stream read with the hub's limit, sometimes with another first byte. */
    private static byte[] stream(Gen g, Framing framing) {
        byte[] s = framing == Framing.NDJSON
                ? Streams.ndjson(g, MAX).input().bytes()
                : Streams.framed(g, framing, MAX).input().bytes();
        if (s.length > 0 && g.chance(5)) {
            s[0] = (byte) g.between(0, 255);
        }
        return s;
    }

    /** {@code stream}, then a valid {@code hub/ping}: answered unless the stream broke or swallowed it. */
    private static byte[] withCallAfter(Framing framing, byte[] stream) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(stream);
        if (framing == Framing.NDJSON) {
            out.write('\n');
        }
        out.writeBytes(FrameEncoding.encode(
                framing,
                "{\"jsonrpc\":\"2.0\",\"id\":\"after\",\"method\":\"hub/ping\"}".getBytes(StandardCharsets.UTF_8)));
        return out.toByteArray();
    }

    /** Sends {@code prefix} then {@code bytes} on a new connection, half-closes, and checks all it got back. */
    static void exchange(boolean tcp, byte[] prefix, byte[] bytes, Chunking chunking) {
        byte[] all = new byte[prefix.length + bytes.length];
        System.arraycopy(prefix, 0, all, 0, prefix.length);
        System.arraycopy(bytes, 0, all, prefix.length, bytes.length);
        byte[] answer;
        try (FuzzPeer peer = tcp
                ? FuzzPeer.tcp(hub.tcpPort().getAsInt())
                : FuzzPeer.unix(hub.config().socketPath())) {
            for (byte[] write : chunking.split(all, 32)) {
                if (!peer.send(write, BOUND)) {
                    break;
                }
            }
            peer.shutdownOutput();
            answer = peer.readToEnd(BOUND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(log.take()).as("trouble in the hub's log").isEmpty();
        try {
            judge(tcp, all, answer);
        } catch (IOException e) {
            throw new AssertionError("the hub's answer is not in the framing: " + new Input(answer).show(500), e);
        }
    }

    private static void judge(boolean tcp, byte[] sent, byte[] answer) throws IOException {
        if (sent.length == 0) {
            assertThat(answer).isEmpty();
            return;
        }
        Optional<Framing> framing = Framing.sniff(sent[0], tcp);
        if (framing.isEmpty()) {
            List<Answers.Answer> got = Answers.actual(Framing.NDJSON, answer);
            assertThat(got).containsExactly(new Answers.Single(Id.NULL, -32700, false));
            return;
        }
        Reference.Outcome outcome = Reference.decode(framing.get(), MAX, sent);
        List<Answers.Answer> expected = Answers.expected(framing.get(), outcome.units());
        List<Answers.Answer> got = new ArrayList<>(Answers.actual(framing.get(), answer));
        assertThat(Answers.anyCode(got, -32603))
                .as("an internal error in " + got)
                .isFalse();
        if (outcome.tooLarge()) {
            assertThat(got).as("answers").isNotEmpty();
            Answers.Answer last = got.remove(got.size() - 1);
            assertThat(last)
                    .as("the last answer")
                    .isEqualTo(
                            framing.get() == Framing.TYPED
                                    ? new Answers.ErrorFrame(-32006)
                                    : new Answers.Single(Id.NULL, -32006, false));
            Answers.pair(expected, got); // what came before is what was asked, though replies in flight may be cut
        } else {
            assertThat(Answers.pair(expected, got))
                    .as("answers owed but not given")
                    .isEmpty();
        }
    }
}
