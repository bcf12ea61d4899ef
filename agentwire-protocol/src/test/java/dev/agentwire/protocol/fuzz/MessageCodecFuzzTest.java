package dev.agentwire.protocol.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.MessageCodec;
import dev.agentwire.protocol.Parsed;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * {@link MessageCodec} against {@link SpecOracle}: valid JSON-RPC texts, the same with structural and byte
 * mutations, and random bytes. Parsing never throws; every text gets the answer {@code docs/PROTOCOL.md}
 * prescribes ({@code -32700} for bytes that are not one UTF-8 JSON value, {@code -32600} for JSON that is not
 * JSON-RPC, with the request's id where it can be read); every error names a reason; and every valid message,
 * and every error answer, can be encoded and reads back as itself.
 */
@AddLifecycleHook(FuzzBudget.class)
class MessageCodecFuzzTest {

    private static final Set<String> PARSE_REASONS =
            Set.of("malformed_json", "invalid_utf8", "empty", "number_out_of_range");

    @Property(tries = 27_000, shrinking = ShrinkingMode.OFF)
    void everyTextGetsTheAnswerTheSpecGives(@ForAll long seed) {
        Gen g = new Gen(seed);
        Input text = JsonRpcCorpus.anyText(g);
        int offset = g.chance(30) ? g.between(1, 5) : 0;
        Failures.check(text, input -> check(input, offset));
    }

    /**
     * Found by {@link #everyTextGetsTheAnswerTheSpecGives}: Jackson decodes overlong UTF-8 ({@code C0 80} for
     * NUL, {@code C0 AF} for '/'), so a method name with invalid UTF-8 in it was called instead of answered with
     * {@code -32700}; and it guesses UTF-16 from NUL bytes, so a UTF-16 request was called too.
     */
    @Example
    void overlongUtf8IsAParseError() {
        // Checked by hand beside it: Jackson reads a text with NUL bytes as UTF-16 or UTF-32.
        check(
                new Input("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/ping\"}"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_16BE)),
                0);
        check(Input.of("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\\xC0\\x80tools/list\",\"params\":{}}"), 0);
        check(Input.of("{\"d\":5,\"m\":\"\\xC0\\x80\",\"\":{}}"), 0);
        check(Input.of("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub\\xC0\\xAFping\"}"), 0);
    }

    /**
     * Found by {@link #everyTextGetsTheAnswerTheSpecGives}: a number beyond a 64-bit float ({@code 1e400}) was
     * read as infinity and relayed as the string {@code "Infinity"}; it is refused now.
     */
    @Example
    void aNumberNoFloatHoldsIsAParseError() {
        check(Input.of("{\"jsonrpc\":\"2.0\",\"id\":263,\"method\":\"r\",\"params\":{\"s\":1e400}}"), 0);
        check(Input.of("[{\"jsonrpc\":\"2.0\",\"method\":\"r\",\"params\":{\"s\":-1e400}}]"), 0);
    }

    /**
     * Found by {@link #everyTextGetsTheAnswerTheSpecGives}: an error response whose code was not an integer
     * ({@code 1.5}) was accepted and relayed with the code cut to {@code 1}; JSON-RPC says the code MUST be an
     * integer.
     */
    @Example
    void anErrorCodeThatIsNotAnIntegerIsAnInvalidResponse() {
        check(Input.of("{\"jsonrpc\":\"2.0\",\"id\":\"\\xC3\\x80\",\"error\":{\"code\":1.5,\"message\":\"\"}}"), 0);
        check(Input.of("{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":-3.2e4,\"message\":\"x\"}}"), 0);
    }

    static void check(Input input, int offset) {
        byte[] framed = new byte[input.length() + offset * 2];
        java.util.Arrays.fill(framed, (byte) '}');
        System.arraycopy(input.bytes(), 0, framed, offset, input.length());
        Parsed parsed = MessageCodec.parse(framed, offset, input.length());
        assertThat(describe(parsed)).isEqualTo(SpecOracle.expect(input.bytes()));
        checkAnswers(parsed);
    }

    /** The oracle's view of what the codec parsed. */
    static SpecOracle.Expected describe(Parsed parsed) {
        if (parsed instanceof Parsed.Batch batch) {
            List<SpecOracle.Expected> entries = new ArrayList<>();
            batch.entries().forEach(e -> entries.add(describe(e)));
            return new SpecOracle.Batch(entries);
        }
        if (parsed instanceof Parsed.Invalid invalid) {
            return new SpecOracle.Error(invalid.error().code(), invalid.id());
        }
        Message m = ((Parsed.Valid) parsed).message();
        return m instanceof Message.Request r ? new SpecOracle.Answered(r.id()) : new SpecOracle.Silent();
    }

    /** Errors explain themselves; errors and valid messages encode and read back unchanged. */
    private static void checkAnswers(Parsed parsed) {
        if (parsed instanceof Parsed.Batch batch) {
            batch.entries().forEach(MessageCodecFuzzTest::checkAnswers);
        } else if (parsed instanceof Parsed.Invalid invalid) {
            var error = invalid.error();
            assertThat(error.message()).isNotBlank();
            if (error.code() == -32700) {
                assertThat(error.reason()).isIn(PARSE_REASONS);
            } else {
                assertThat(error.reason()).isEqualTo("invalid_request");
            }
            roundTrip(invalid.toResponse());
        } else {
            roundTrip(((Parsed.Valid) parsed).message());
        }
    }

    private static void roundTrip(Message m) {
        byte[] encoded = MessageCodec.encode(m);
        Parsed again = MessageCodec.parse(encoded);
        assertThat(again).as("%s read back", new Input(encoded)).isInstanceOf(Parsed.Valid.class);
        assertThat(((Parsed.Valid) again).message()).isEqualTo(m);
    }
}
